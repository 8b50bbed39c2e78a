/// Reads the parts of DER (ITU-T X.690) that RSA keys are written in: SEQUENCE, INTEGER,
/// OCTET STRING, OBJECT IDENTIFIER, NULL and BIT STRING with definite lengths.
///
/// Each call reads one element at the current position and moves past it. Input is
/// untrusted: every length is checked against the bytes that remain, and anything malformed
/// (truncation, an indefinite length, a wrong tag, a negative integer) throws an
/// `RSAKeyError` naming the field, never the bytes.
struct DERReader {
    /// The universal tags read here (all single-byte, low tag numbers).
    enum Tag: UInt8 {
        case integer = 0x02
        case bitString = 0x03
        case octetString = 0x04
        case null = 0x05
        case objectIdentifier = 0x06
        case sequence = 0x30

        var name: String {
            switch self {
            case .integer: "INTEGER"
            case .bitString: "BIT STRING"
            case .octetString: "OCTET STRING"
            case .null: "NULL"
            case .objectIdentifier: "OBJECT IDENTIFIER"
            case .sequence: "SEQUENCE"
            }
        }
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    var isAtEnd: Bool { position >= bytes.endIndex }

    /// The tag byte of the next element; nil at the end.
    var nextTag: UInt8? { isAtEnd ? nil : bytes[position] }

    /// Throws unless every byte has been read; `field` names what was being read.
    func finish(_ field: String) throws(RSAKeyError) {
        guard isAtEnd else { throw RSAKeyError("DER: unexpected bytes after the end of \(field)") }
    }

    /// The contents of the next element, which must have tag `tag`.
    mutating func contents(_ tag: Tag, _ field: String) throws(RSAKeyError) -> ArraySlice<UInt8> {
        guard let found = nextTag else {
            throw RSAKeyError("DER: \(field) is missing (input ends early)")
        }
        guard found == tag.rawValue else {
            throw RSAKeyError("DER: \(field) should be \(tag.name) (tag 0x\(Hex.encode([tag.rawValue]))) but has tag 0x\(Hex.encode([found]))")
        }
        return try anyContents(field)
    }

    /// Skips the next element, whatever its tag.
    mutating func skip(_ field: String) throws(RSAKeyError) {
        _ = try anyContents(field)
    }

    /// Reads the tag and length of the next element and returns its contents.
    private mutating func anyContents(_ field: String) throws(RSAKeyError) -> ArraySlice<UInt8> {
        guard let tag = nextTag else { throw RSAKeyError("DER: \(field) is missing (input ends early)") }
        guard tag & 0x1f != 0x1f else { throw RSAKeyError("DER: \(field) has a multi-byte tag, which no key uses") }
        position += 1
        guard let first = nextTag else { throw RSAKeyError("DER: \(field) is truncated (no length)") }
        position += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let lengthBytes = Int(first & 0x7f)
            guard lengthBytes != 0 else { throw RSAKeyError("DER: \(field) has an indefinite length, which DER does not allow") }
            guard lengthBytes <= 4 else { throw RSAKeyError("DER: \(field) has a length of more than 4 bytes") }
            guard bytes.endIndex - position >= lengthBytes else { throw RSAKeyError("DER: \(field) is truncated (in its length)") }
            for _ in 0..<lengthBytes {
                length = length << 8 | Int(bytes[position])
                position += 1
            }
        }
        guard bytes.endIndex - position >= length else {
            throw RSAKeyError("DER: \(field) is truncated (\(length) content bytes announced, \(bytes.endIndex - position) left)")
        }
        let contents = bytes[position..<position + length]
        position += length
        return contents
    }

    /// A reader over the elements of the next element, a SEQUENCE.
    mutating func sequence(_ field: String) throws(RSAKeyError) -> DERReader {
        DERReader(try contents(.sequence, field))
    }

    /// The next element, a non-negative INTEGER.
    mutating func unsignedInteger(_ field: String) throws(RSAKeyError) -> BigUInt {
        let value = try contents(.integer, field)
        guard let first = value.first else { throw RSAKeyError("DER: \(field) is an INTEGER with no content bytes") }
        guard first & 0x80 == 0 else { throw RSAKeyError("DER: \(field) is negative") }
        return BigUInt(bigEndian: value)
    }

    /// The next element, an INTEGER that should be small (a version number); nil when it
    /// is too large to matter.
    mutating func smallInteger(_ field: String) throws(RSAKeyError) -> Int? {
        let value = try unsignedInteger(field)
        guard value.bitWidth < 32 else { return nil }
        return Int(value.limbs.first ?? 0)
    }

    /// The contents of the next element, an OBJECT IDENTIFIER (compare with an
    /// `OID` constant, or spell it with `dotted(_:)`).
    mutating func objectIdentifier(_ field: String) throws(RSAKeyError) -> [UInt8] {
        let value = try contents(.objectIdentifier, field)
        guard !value.isEmpty, let last = value.last, last & 0x80 == 0 else {
            throw RSAKeyError("DER: \(field) is not a well-formed OBJECT IDENTIFIER")
        }
        return Array(value)
    }

    /// Reads the next element, a NULL.
    mutating func null(_ field: String) throws(RSAKeyError) {
        guard try contents(.null, field).isEmpty else { throw RSAKeyError("DER: \(field) is a NULL with content bytes") }
    }

    /// The contents of the next element, an OCTET STRING.
    mutating func octetString(_ field: String) throws(RSAKeyError) -> ArraySlice<UInt8> {
        try contents(.octetString, field)
    }

    /// The bits of the next element, a BIT STRING of whole bytes (as keys are).
    mutating func bitString(_ field: String) throws(RSAKeyError) -> ArraySlice<UInt8> {
        let value = try contents(.bitString, field)
        guard value.first == 0 else { throw RSAKeyError("DER: \(field) is not a BIT STRING of whole bytes") }
        return value.dropFirst()
    }

    /// Object identifiers as their DER contents.
    enum OID {
        /// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 appendix A.1).
        static let rsaEncryption: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]
        /// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480).
        static let ecPublicKey: [UInt8] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]

        /// `contents` in dotted decimal, e.g. "1.2.840.113549.1.1.1" (for messages).
        static func dotted(_ contents: [UInt8]) -> String {
            var arcs: [UInt64] = []
            var arc: UInt64 = 0
            for byte in contents {
                guard arc >> 56 == 0 else { return "(an OBJECT IDENTIFIER with an oversized arc)" }
                arc = arc << 7 | UInt64(byte & 0x7f)
                if byte & 0x80 == 0 {
                    arcs.append(arc)
                    arc = 0
                }
            }
            guard let first = arcs.first else { return "(an empty OBJECT IDENTIFIER)" }
            let head = first < 80 ? [first / 40, first % 40] : [2, first - 80]
            return (head + arcs.dropFirst()).map(String.init).joined(separator: ".")
        }
    }
}
