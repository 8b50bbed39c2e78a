import Foundation

/// An OAuth 2.0 access token and how long it stays valid. Printing one never shows the token.
struct GCPAccessToken: Sendable, Equatable, CustomStringConvertible {
    var value: String
    /// How long the token is valid from when it was received; nil when unknown.
    var expiresIn: Duration?

    var description: String {
        "GCPAccessToken(<redacted>" + (expiresIn.map { ", expires in \($0)" } ?? "") + ")"
    }

    /// The JSON that both Google's token endpoint and the metadata server answer with:
    /// `access_token` and `expires_in` (seconds); nil when there is no usable token in it.
    static func decode(_ body: [UInt8]) -> GCPAccessToken? {
        struct Body: Decodable {
            var access_token: String?
            var expires_in: Double?
        }
        guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(body)),
              let token = decoded.access_token?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty,
              !token.contains(where: { $0.isWhitespace }) else {
            return nil
        }
        // Whole seconds: that is what Google sends, and it prints cleanly.
        let lifetime = decoded.expires_in.flatMap { $0.isFinite && $0 >= 0 && $0 < 1e9 ? Duration.seconds(Int64($0)) : nil }
        return GCPAccessToken(value: token, expiresIn: lifetime)
    }
}
