/// A wire method as a type: its name, its params and its result, all `Codable`.
///
/// Conforming types are caseless enums registered in a `MethodTable` with a handler.
public protocol RPCMethod: Sendable {
    associatedtype Params: Decodable & Sendable
    associatedtype Result: Encodable & Sendable
    /// The method name on the wire.
    static var name: String { get }
}

/// Params of a method that takes none (any object is accepted and ignored).
public struct NoParams: Codable, Sendable, Equatable {
    public init() {}
}

/// A result that knows its JSON form without going through `JSONEncoder`.
public protocol JSONValueConvertible: Sendable {
    var jsonValue: JSONValue { get }
}

/// The result `{}`: an empty object, for methods with nothing to say but success.
public struct EmptyObject: Codable, Sendable, Equatable, JSONValueConvertible {
    public init() {}
    public var jsonValue: JSONValue { .object([:]) }
}

extension JSONValue: JSONValueConvertible {
    public var jsonValue: JSONValue { self }
}

/// Params that name every param they accept, so a misspelt or unknown one is refused with
/// -32602 instead of being silently ignored.
///
/// `progressToken` and `_meta` (which carries a progress token, as in MCP) are accepted by
/// every method; a `progressToken` must be a string or an integer.
public protocol StrictParams: Decodable {
    static var paramNames: Set<String> { get }
}
