/// Decodes named params into a method's `Params` type and explains failures param by param.
public enum ParamsDecoder {
    public static func decode<Params: Decodable>(_ type: Params.Type, from params: JSONValue?) throws -> Params {
        let object: JSONValue
        switch params {
        case nil: object = .object([:])
        case .object?: object = params!
        case .array(let elements)? where elements.isEmpty: object = .object([:])
        case let other?:
            throw RPCError.invalidParams(param: nil, reason: "params must be an object of named params, not \(other.typeDescription)")
        }
        // A method without params accepts any object: nothing to decode.
        if let none = NoParams() as? Params { return none }
        if let strict = Params.self as? any StrictParams.Type {
            try checkNames(object, allowed: strict.paramNames)
        }
        if let path = firstOutOfRangeNumber(in: object, path: "") {
            throw RPCError.invalidParams(param: path, reason: "is a number out of range")
        }
        do {
            return try object.decode(as: Params.self)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               let culprit = fractionalNumberParam(Params.self, in: object) {
                throw culprit
            }
            throw explain(error, params: object)
        }
    }

    /// Foundation reports a fractional or huge number where an integer is expected as corrupt
    /// data with no path; find the param by trying each such top-level number as a small integer.
    private static func fractionalNumberParam<Params: Decodable>(_ type: Params.Type, in object: JSONValue) -> RPCError? {
        guard case .object(let members) = object else { return nil }
        for key in members.keys.sorted() {
            guard case .number(let number) = members[key]!, let value = number.doubleValue,
                  value != value.rounded(.towardZero) || abs(value) >= 0x1p63 else { continue }
            var probe = members
            probe[key] = .int(0)
            if (try? JSONValue.object(probe).decode(as: Params.self)) != nil {
                return .invalidParams(param: key, reason: "must be an integer in range, not \(number.literal)")
            }
        }
        return nil
    }

    /// Refuses unknown param names (suggesting the intended one) and a malformed progress token.
    static func checkNames(_ object: JSONValue, allowed: Set<String>) throws {
        guard case .object(let members) = object else { return }
        for key in members.keys.sorted() where !allowed.contains(key) && key != "progressToken" && key != "_meta" {
            let accepted = (allowed.union(["progressToken"])).sorted()
            let suggestion = accepted.first { $0.lowercased() == key.lowercased() }
                ?? accepted.first { editDistance($0.lowercased(), key.lowercased()) <= 2 }
            let hint = suggestion.map { "did you mean '\($0)'?" } ?? "accepted: \(accepted.joined(separator: ", "))"
            throw RPCError.invalidParams(param: key, reason: "is not a param of this method (\(hint))")
        }
        if let token = members["progressToken"], RequestID(token) == nil {
            throw RPCError.invalidParams(param: "progressToken", reason: "must be a string or a number, not \(token.typeDescription)")
        }
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Turns a `DecodingError` into -32602 naming the param (dotted path) and the problem.
    static func explain(_ error: DecodingError, params: JSONValue) -> RPCError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidParams(param: path(context.codingPath + [key]), reason: "is required")
        case .typeMismatch(let type, let context):
            let found = value(at: context.codingPath, in: params)?.typeDescription ?? "something else"
            return .invalidParams(param: path(context.codingPath), reason: "must be \(describe(type)), not \(found)")
        case .valueNotFound(let type, let context):
            return .invalidParams(param: path(context.codingPath), reason: "must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            return .invalidParams(param: path(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .invalidParams(param: nil, reason: String(describing: error))
        }
    }

    /// The dotted path of the first number that does not fit a `Double` (Codable cannot decode it).
    private static func firstOutOfRangeNumber(in value: JSONValue, path: String) -> String? {
        switch value {
        case .number(let number):
            return number.doubleValue == nil ? path : nil
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let found = firstOutOfRangeNumber(in: element, path: "\(path)[\(index)]") { return found }
            }
        case .object(let members):
            for key in members.keys.sorted() {
                if let found = firstOutOfRangeNumber(in: members[key]!, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
        default:
            break
        }
        return nil
    }

    private static func path(_ keys: [any CodingKey]) -> String? {
        guard !keys.isEmpty else { return nil }
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func value(at keys: [any CodingKey], in root: JSONValue) -> JSONValue? {
        var current: JSONValue? = root
        for key in keys {
            if let index = key.intValue, let elements = current?.arrayValue {
                current = elements.indices.contains(index) ? elements[index] : nil
            } else {
                current = current?[key.stringValue]
            }
        }
        return current
    }

    private static func describe(_ type: Any.Type) -> String {
        let name = String(describing: type)
        switch name {
        case "String": return "a string"
        case "Bool": return "a boolean"
        case "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64": return "an integer"
        case "Double", "Float", "Decimal": return "a number"
        default:
            if name.hasPrefix("Array<") { return "an array" }
            if name.hasPrefix("Dictionary<") { return "an object" }
            return "an object"
        }
    }
}
