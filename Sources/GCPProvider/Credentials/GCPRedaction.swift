import Foundation

/// Removes known secrets from text that comes from elsewhere (a token endpoint's error
/// description, a signer's error, a program's stderr) before it goes into a log line or an
/// error message.
enum GCPRedaction {
    /// Shortest secret fragment worth looking for; shorter ones would only blot out words.
    static let minimumLength = 8

    /// `text` with every occurrence of each secret replaced by `<redacted>`. A PEM key counts
    /// line by line, so a fragment of it is caught too.
    static func scrub(_ text: String, removing secrets: [String]) -> String {
        var fragments: [String] = []
        for secret in secrets {
            if secret.contains("\n") {
                fragments += secret.split(whereSeparator: \.isNewline).map(String.init)
                    .filter { !$0.hasPrefix("-----") }
            } else {
                fragments.append(secret)
            }
        }
        var result = text
        for fragment in fragments.map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ $0.count >= minimumLength })
            .sorted(by: { $0.count > $1.count }) {
            result = result.replacingOccurrences(of: fragment, with: "<redacted>")
        }
        return result
    }
}
