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
