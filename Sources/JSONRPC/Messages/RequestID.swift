/// The `id` of a JSON-RPC request: a string or a number, echoed back exactly in its response.
public enum RequestID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(JSONNumber)

    public init(_ value: Int) { self = .number(JSONNumber(value)) }

    /// The id as it appears on the wire.
    public var jsonValue: JSONValue {
        switch self {
        case .string(let value): .string(value)
        case .number(let value): .number(value)
        }
    }

    /// Reads an id from a JSON value; nil for types JSON-RPC does not allow (null excluded too).
    public init?(_ value: JSONValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .number(let number): self = .number(number)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .string(let value): "\"\(value)\""
        case .number(let value): value.literal
        }
    }
}
