/// A JSON number kept as the exact text it arrived as, so ids like `12345678901234567890123`
/// or `1e400` are echoed back unchanged rather than rounded through `Double`.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number's JSON literal, already validated against the JSON grammar.
    public let literal: String

    /// Wraps a literal that the parser has validated.
    init(validatedLiteral: String) { literal = validatedLiteral }

    public init(_ value: Int) { literal = String(value) }

    /// A finite double; non-finite values (which JSON cannot hold) become `0`.
    public init(_ value: Double) {
        if !value.isFinite {
            literal = "0"
        } else if value == value.rounded(), abs(value) < 1e15 {
            literal = String(Int64(value))
        } else {
            literal = "\(value)"
        }
    }

    /// The value as a `Double`, or nil if it is out of `Double`'s range.
    public var doubleValue: Double? {
        guard let value = Double(literal), value.isFinite else { return nil }
        return value
    }

    /// The value as an `Int` when it is a whole number in range.
    public var intValue: Int? {
        if let value = Int(literal) { return value }
        guard let value = doubleValue, value == value.rounded(),
              value >= -9.2e18, value <= 9.2e18 else { return nil }
        return Int(value)
    }

    public var description: String { literal }
}
