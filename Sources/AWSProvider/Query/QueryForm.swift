/// The form body of an AWS Query API request, in AWS's canonical encoding: `Action`, `Version`,
/// then the params as given; uppercase percent-encoding of everything but `A-Za-z0-9-_.~`
/// (so a space is `%20`, never `+`).
enum QueryForm {
    static func encode(action: String, version: String, _ params: [(String, String)]) -> String {
        ([("Action", action), ("Version", version)] + params)
            .map { "\(AWSClient.percentEncode($0.0))=\(AWSClient.percentEncode($0.1))" }
            .joined(separator: "&")
    }
}
