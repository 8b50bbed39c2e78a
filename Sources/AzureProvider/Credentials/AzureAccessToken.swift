import Foundation

/// A Microsoft Entra access token as a source handed it over, and how long it stays valid.
/// Printing one never shows the token.
struct AzureAccessToken: Sendable, Equatable, CustomStringConvertible {
    var value: String
    /// How long the token is valid from when it was received; nil when unknown.
    var expiresIn: Duration?

    var description: String {
        "AzureAccessToken(<redacted>" + (expiresIn.map { ", expires in \($0.components.seconds) s" } ?? "") + ")"
    }

    /// The JSON that Entra's token endpoint and the managed identity endpoints answer with:
    /// `access_token`, and `expires_in` (seconds from now) or `expires_on` (seconds since
    /// 1970), each a number or, from the managed identity endpoints, a string of one.
    /// `expires_in` wins when both are there: it does not depend on this machine's clock.
    /// - Parameter now: when the answer arrived, to turn `expires_on` into a lifetime.
    /// - Returns: nil when there is no usable token in `body`.
    static func decode(_ body: [UInt8], now: Date) -> AzureAccessToken? {
        struct Body: Decodable {
            var access_token: String?
            var expires_in: FlexibleNumber?
            var expires_on: FlexibleNumber?
        }
        guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(body)),
              let token = usableToken(decoded.access_token) else {
            return nil
        }
        var lifetime = decoded.expires_in?.value.flatMap { Self.lifetime(seconds: $0) }
        if lifetime == nil, let expiresOn = decoded.expires_on?.value {
            lifetime = Self.lifetime(until: Date(timeIntervalSince1970: expiresOn), now: now)
        }
        return AzureAccessToken(value: token, expiresIn: lifetime)
    }

    /// `text` trimmed, if it is one non-empty run without whitespace (what a bearer token is).
    static func usableToken(_ text: String?) -> String? {
        guard let token = text?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty,
              !token.contains(where: { $0.isWhitespace }) else {
            return nil
        }
        return token
    }

    /// Whole seconds (that is what Entra sends, and it prints cleanly); nil when absurd.
    static func lifetime(seconds: Double) -> Duration? {
        seconds.isFinite && seconds >= 0 && seconds < 1e9 ? .seconds(Int64(seconds)) : nil
    }

    /// The time from `now` to `expiry`, none when it has passed already; nil when absurd.
    static func lifetime(until expiry: Date, now: Date) -> Duration? {
        lifetime(seconds: max(0, expiry.timeIntervalSince(now).rounded(.down)))
    }

    /// A JSON number, or a string holding one (the managed identity endpoints quote theirs);
    /// anything else is no value, so an odd expiry never costs the token itself.
    struct FlexibleNumber: Decodable, Sendable {
        var value: Double?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                value = number
            } else if let text = try? container.decode(String.self) {
                value = Double(text.trimmingCharacters(in: .whitespaces))
            }
        }
    }
}
