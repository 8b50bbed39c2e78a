/// Why an RSA key could not be read: a PEM or DER problem, a key of another kind (EC,
/// encrypted, multi-prime) or numbers that do not make a consistent RSA key.
///
/// The description names what is wrong and where (a PEM label, a DER field, an algorithm
/// OID, a bit count), never the key's bytes or base64 text, so it can be logged.
public struct RSAKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
