import CloudCore
import Foundation

/// An Application Default Credentials JSON file: a `service_account` key or the
/// `authorized_user` credentials `gcloud auth application-default login` writes.
///
/// Reading one never puts its contents in an error: messages name the file and the field.
/// Printing one shows no secret.
enum GCPCredentialsFile: Sendable, Equatable, CustomStringConvertible {
    case authorizedUser(AuthorizedUser)
    case serviceAccount(ServiceAccount)

    /// Google's OAuth 2.0 token endpoint, used when a file names none.
    static let defaultTokenURI = "https://oauth2.googleapis.com/token"
    /// The types this version reads.
    static let supportedTypes = ["service_account", "authorized_user"]

    /// A user's refresh token and the OAuth client it was issued to.
    struct AuthorizedUser: Sendable, Equatable {
        var clientID: String
        var clientSecret: String
        var refreshToken: String
        var quotaProjectID: String?
        var tokenURI: URL
    }

    /// A service account's key.
    struct ServiceAccount: Sendable, Equatable {
        var clientEmail: String
        var privateKeyPEM: String
        var privateKeyID: String?
        var tokenURI: URL
        var projectID: String?
    }

    /// The project the file belongs to: a service account's `project_id`, a user's
    /// `quota_project_id`.
    var projectID: String? {
        switch self {
        case .authorizedUser(let user): return user.quotaProjectID
        case .serviceAccount(let account): return account.projectID
        }
    }

    /// The values that must never be logged or shown.
    var secrets: [String] {
        switch self {
        case .authorizedUser(let user): return [user.clientSecret, user.refreshToken]
        case .serviceAccount(let account): return [account.privateKeyPEM]
        }
    }

    var description: String {
        switch self {
        case .authorizedUser(let user):
            return "GCPCredentialsFile.authorizedUser(clientID: \(user.clientID), clientSecret: <redacted>, refreshToken: <redacted>)"
        case .serviceAccount(let account):
            return "GCPCredentialsFile.serviceAccount(clientEmail: \(account.clientEmail), privateKey: <redacted>)"
        }
    }

    /// Reads and parses the file at `path`; nil when it does not exist.
    /// - Parameter origin: where the path came from, for messages (`GOOGLE_APPLICATION_CREDENTIALS`).
    /// - Throws: `CloudProviderError.unauthenticated` naming the file when it cannot be read or
    ///   is not a credentials file of a supported type.
    static func load(path: String, origin: String) throws(CloudProviderError) -> GCPCredentialsFile? {
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw .unauthenticated(reason: "cannot read the credentials file \(path) (\(origin)): \(String(cString: strerror(error.errorNumber)))")
        }
        guard let bytes else { return nil }
        return try parse(bytes, path: path, origin: origin)
    }

    /// Parses a credentials file's contents.
    static func parse(_ bytes: [UInt8], path: String, origin: String) throws(CloudProviderError) -> GCPCredentialsFile {
        struct Fields: Decodable {
            var type: String?
            var client_id: String?
            var client_secret: String?
            var refresh_token: String?
            var quota_project_id: String?
            var client_email: String?
            var private_key: String?
            var private_key_id: String?
            var token_uri: String?
            var project_id: String?
        }
        let name = "the credentials file \(path) (\(origin))"
        guard let fields = try? JSONDecoder().decode(Fields.self, from: Data(bytes)) else {
            throw .unauthenticated(reason: "\(name) is not a JSON object of string fields")
        }
        func required(_ value: String?, _ field: String, _ type: String) throws(CloudProviderError) -> String {
            guard let value, !value.isEmpty else { throw .unauthenticated(reason: "\(name) is of type \(type) but has no \(field)") }
            return value
        }
        func tokenURI(_ type: String) throws(CloudProviderError) -> URL {
            let text = nonEmpty(fields.token_uri) ?? defaultTokenURI
            guard let url = URL(string: text), url.scheme != nil, url.host != nil else {
                throw .unauthenticated(reason: "\(name) is of type \(type) but its token_uri is not a URL")
            }
            return url
        }
        switch fields.type {
        case "authorized_user":
            let type = "authorized_user"
            return .authorizedUser(AuthorizedUser(
                clientID: try required(fields.client_id, "client_id", type),
                clientSecret: try required(fields.client_secret, "client_secret", type),
                refreshToken: try required(fields.refresh_token, "refresh_token", type),
                quotaProjectID: nonEmpty(fields.quota_project_id), tokenURI: try tokenURI(type)))
        case "service_account":
            let type = "service_account"
            let key = try required(fields.private_key, "private_key", type)
            guard key.contains("-----BEGIN") else {
                throw .unauthenticated(reason: "\(name) is of type \(type) but its private_key is not a PEM key")
            }
            return .serviceAccount(ServiceAccount(
                clientEmail: try required(fields.client_email, "client_email", type), privateKeyPEM: key,
                privateKeyID: nonEmpty(fields.private_key_id), tokenURI: try tokenURI(type), projectID: nonEmpty(fields.project_id)))
        case let other?:
            // The type is echoed only when it looks like one (the field could hold anything).
            let shown = other.count <= 40 && other.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "_") } ? "'\(other)'" : "an unknown type"
            throw .unauthenticated(reason: """
                \(name) is of type \(shown), which this version does not support yet; \
                supported: \(supportedTypes.joined(separator: ", "))
                """)
        case nil:
            throw .unauthenticated(reason: "\(name) has no type; supported: \(supportedTypes.joined(separator: ", "))")
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
