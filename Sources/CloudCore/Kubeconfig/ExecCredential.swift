import Foundation

/// The `ExecCredential` (client.authentication.k8s.io/v1beta1) an exec credential plugin
/// prints for kubectl: the agent's `token` commands.
public enum ExecCredential {
    /// One line of JSON; without `expiration`, kubectl keeps the token until the server refuses it.
    public static func json(token: String, expiration: Date?) -> String {
        var status: [String: String] = ["token": token]
        if let expiration {
            status["expirationTimestamp"] = Date(timeIntervalSince1970: expiration.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
        }
        let object: [String: Any] = ["kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1", "spec": [String: String](),
                                     "status": status]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
