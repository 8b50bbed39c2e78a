/// Keyed-hash message authentication codes (RFC 2104), as AWS Signature Version 4 chains
/// them to derive signing keys and sign requests.
public enum HMAC {
    /// HMAC-SHA256 of `message` under `key`: 32 bytes.
    ///
    /// Keys longer than SHA-256's 64-byte block are hashed first, shorter ones padded with
    /// zeros, as RFC 2104 specifies.
    public static func sha256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        var blockKey = key.count > SHA256.blockByteCount ? SHA256.hash(key) : Array(key)
        blockKey.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - blockKey.count))

        var inner = SHA256()
        inner.update(blockKey.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(blockKey.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}
