import JSONRPC

extension JSONValue {
    /// The member at `path` (keys and array indexes), e.g. `value[path: "nodePools", 0, "name"]`.
    public subscript(path path: any PathElement...) -> JSONValue? {
        var current: JSONValue? = self
        for element in path {
            if let index = element as? Int {
                guard let array = current?.arrayValue, array.indices.contains(index) else { return nil }
                current = array[index]
            } else if let key = element as? String {
                current = current?[key]
            }
        }
        return current
    }

    /// A number member as a `Double`.
    public var double: Double? { numberValue?.doubleValue }

    /// The `name` member of each element of an array.
    public var names: [String] { (arrayValue ?? []).compactMap { $0["name"]?.stringValue } }
}

/// A key (`String`) or an index (`Int`) of a JSON path.
public protocol PathElement {}
extension Int: PathElement {}
extension String: PathElement {}

