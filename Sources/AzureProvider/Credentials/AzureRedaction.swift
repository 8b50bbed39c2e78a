import CloudCore
import Foundation

/// Removes known secrets from text that comes from elsewhere (a token endpoint's error
/// description, a managed identity endpoint's answer, a program's stderr) before it goes into
/// a log line or an error message.
enum AzureRedaction {
    /// Shortest secret worth looking for; shorter ones would only blot out words.
    static let minimumLength = 8

    /// `text` with every occurrence of each secret, as is or form-encoded (an endpoint may
    /// quote the request back either way), replaced by `<redacted>`.
    static func scrub(_ text: String, removing secrets: [String]) -> String {
        let fragments = Set(secrets.flatMap { [$0, URLEncoding.percentEncode($0)] }.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
            .filter { $0.count >= minimumLength }
            .sorted { $0.count > $1.count }
        var result = text
        for fragment in fragments {
            result = result.replacingOccurrences(of: fragment, with: "<redacted>")
        }
        return result
    }
}
