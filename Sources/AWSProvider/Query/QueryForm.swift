/// The form body of an AWS Query API request (EC2, STS), in AWS's canonical encoding.
///
/// `Action` and `Version` come first, then the params in the order given, so a request's body
/// is the same every time and tests can compare it byte for byte. Keys and values are
/// percent-encoded as SigV4 canonicalises them (`AWSClient.percentEncode`): everything but
/// `A-Za-z0-9-_.~` as uppercase `%XX` of its UTF-8 bytes, so a space is `%20`, never `+`.
/// - Important: Any other spelling (`+` for a space, lowercase hex) is still valid form
///   encoding, but a server that re-encodes the form before checking the signature (moto)
///   would then compute a different canonical request and refuse the signature.
enum QueryForm {
    /// `Action=…&Version=…&key=value…`, canonically encoded.
    static func encode(action: String, version: String, _ params: [(String, String)]) -> String {
        ([("Action", action), ("Version", version)] + params)
            .map { "\(AWSClient.percentEncode($0.0))=\(AWSClient.percentEncode($0.1))" }
            .joined(separator: "&")
    }

    /// A Query list: `prefix.1`, `prefix.2`, … (members are numbered from 1), or nothing for
    /// an empty list.
    static func list(_ prefix: String, _ values: [String]) -> [(String, String)] {
        values.enumerated().map { ("\(prefix).\($0.offset + 1)", $0.element) }
    }
}
