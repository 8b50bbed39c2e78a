/// Reads the little DER (X.690) that RSA keys are made of: SEQUENCE, INTEGER, OCTET STRING,
/// BIT STRING, OBJECT IDENTIFIER and NULL, with definite lengths. Malformed input is an error,
/// never a crash.
struct DERReader {
    struct Malformed: Error {}

    private let bytes: [UInt8]
    private var offset: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
        end = bytes.count
    }

    private init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        offset = start
        self.end = end
    }

    var isAtEnd: Bool { offset >= end }

    /// The next element's tag and its contents' bounds.
    private mutating func element() throws(Malformed) -> (tag: UInt8, start: Int, end: Int) {
        guard offset + 2 <= end else { throw Malformed() }
        let tag = bytes[offset]
        var length = Int(bytes[offset + 1])
        var start = offset + 2
        if length & 0x80 != 0 {
            let octets = length & 0x7F
            guard (1...4).contains(octets), start + octets <= end else { throw Malformed() }
            length = 0
            for index in start..<(start + octets) { length = length << 8 | Int(bytes[index]) }
            start += octets
        }
        guard length >= 0, start + length <= end else { throw Malformed() }
        offset = start + length
        return (tag, start, start + length)
    }

    /// A reader over the next element, which must carry `tag`.
    mutating func nested(_ tag: UInt8) throws(Malformed) -> DERReader {
        let found = try element()
        guard found.tag == tag else { throw Malformed() }
        return DERReader(bytes, from: found.start, to: found.end)
    }

    mutating func sequence() throws(Malformed) -> DERReader { try nested(0x30) }

    /// An INTEGER's magnitude (big-endian, no sign byte); negative integers are refused.
    mutating func unsignedInteger() throws(Malformed) -> [UInt8] {
        let found = try element()
        guard found.tag == 0x02, found.end > found.start, bytes[found.start] & 0x80 == 0 else { throw Malformed() }
        return Array(bytes[found.start..<found.end].drop(while: { $0 == 0 }))
    }

    mutating func octetString() throws(Malformed) -> [UInt8] {
        let found = try element()
        guard found.tag == 0x04 else { throw Malformed() }
        return Array(bytes[found.start..<found.end])
    }

    /// A BIT STRING's bytes (whole bytes only).
    mutating func bitString() throws(Malformed) -> [UInt8] {
        let found = try element()
        guard found.tag == 0x03, found.end > found.start, bytes[found.start] == 0 else { throw Malformed() }
        return Array(bytes[(found.start + 1)..<found.end])
    }

    /// An OBJECT IDENTIFIER's encoded bytes.
    mutating func objectIdentifier() throws(Malformed) -> [UInt8] {
        let found = try element()
        guard found.tag == 0x06 else { throw Malformed() }
        return Array(bytes[found.start..<found.end])
    }

    /// Skips one element, whatever it is.
    mutating func skip() throws(Malformed) { _ = try element() }
}
