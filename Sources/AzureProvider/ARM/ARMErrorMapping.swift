import CloudCore
import Foundation

/// Azure Resource Manager error bodies as `CloudProviderError`s.
///
/// ARM answers `{"error": {"code", "message", "target"?, "details"?: [...]}}` (some resource
/// providers leave out the `error` wrapper); the code decides, the HTTP status stands in when
/// there is none. The `x-ms-request-id` header is kept for support requests.
enum ARMErrorMapping {
    /// An error response's parts.
    struct Failure: Sendable, Equatable {
        var httpStatus: Int
        var code: String
        var message: String
        var target: String?
        var requestID: String?
    }

    /// `error` of an ARM error body, or of an asynchronous operation's status.
    struct Detail: Codable, Sendable, Equatable {
        var code: String?
        var message: String?
        var target: String?
        var details: [Detail]?

        /// The message with the first detail's, when ARM nests the cause there.
        var fullMessage: String {
            let own = message ?? code ?? "unknown error"
            guard let inner = details?.first, let text = inner.message, !own.contains(text) else { return own }
            return "\(own): \(text)"
        }
    }

    private struct Body: Decodable {
        var error: Detail?
        var code: String?
        var message: String?
    }

    /// Reads an error response; a body that is not ARM's shape keeps its first 200 bytes.
    static func failure(_ response: HTTPResponse) -> Failure {
        let parsed = try? JSONDecoder().decode(Body.self, from: Data(response.body))
        let detail = parsed?.error ?? Detail(code: parsed?.code, message: parsed?.message)
        let code = detail.code ?? ""
        return Failure(httpStatus: response.status, code: code.isEmpty ? "HTTP\(response.status)" : code,
                       message: detail.message.map { _ in detail.fullMessage } ?? String(decoding: response.body.prefix(200), as: UTF8.self),
                       target: detail.target, requestID: response.header("x-ms-request-id"))
    }

    static let notFoundCodes: Set<String> = ["ResourceNotFound", "NotFound", "ResourceGroupNotFound", "ParentResourceNotFound"]
    /// 404s about something the request names, not the resource addressed (Compute answers an
    /// image that does not exist so, with `target: imageReference`).
    static let missingReferenceCodes: Set<String> = ["PlatformImageNotFound", "ImageNotFound", "GalleryImageNotFound"]
    static let conflictCodes: Set<String> = ["Conflict", "OperationNotAllowed", "AnotherOperationInProgress", "EtagMismatch",
                                             "PropertyChangeNotAllowed", "OperationPreempted"]
    static let authenticationCodes: Set<String> = ["InvalidAuthenticationToken", "ExpiredAuthenticationToken", "AuthenticationFailed",
                                                   "InvalidAuthenticationTokenTenant", "AuthenticationFailedInvalidHeader"]

    static func error(_ failure: Failure, resourceType: String, name: String) -> CloudProviderError {
        let reason = failure.message.isEmpty ? failure.code : "\(failure.message) (\(failure.code))"
        if failure.code == "ResourceGroupNotFound" {
            return .invalidRequest(field: "resourceGroup", reason: reason)
        }
        if missingReferenceCodes.contains(failure.code) {
            return .invalidRequest(field: field(for: failure), reason: reason)
        }
        if notFoundCodes.contains(failure.code) || (failure.httpStatus == 404 && failure.code.hasPrefix("HTTP")) {
            return .notFound(resourceType: resourceType, name: name)
        }
        if conflictCodes.contains(failure.code) || failure.httpStatus == 409 {
            return .conflict(resourceType: resourceType, name: name, reason: reason)
        }
        if authenticationCodes.contains(failure.code) || failure.httpStatus == 401 {
            return .unauthenticated(reason: reason)
        }
        if failure.code == "AuthorizationFailed" || failure.code == "LinkedAuthorizationFailed" || failure.httpStatus == 403 {
            return .permissionDenied(reason: reason)
        }
        if failure.httpStatus == 429 || failure.code == "TooManyRequests" {
            return .throttled(retryAfterSeconds: nil, reason: reason)
        }
        if failure.httpStatus == 400 {
            return .invalidRequest(field: field(for: failure), reason: reason)
        }
        return .providerError(ProviderFailure(httpStatus: failure.httpStatus, code: failure.code, message: failure.message,
                                              requestID: failure.requestID, retryable: RetryPolicy.isRetryable(status: failure.httpStatus)))
    }

    /// The request field an invalid-parameter error is about: its `target`, else words of its
    /// message we know.
    static func field(for failure: Failure) -> String {
        let text = ((failure.target ?? "") + " " + failure.message).lowercased()
        for (needle, field) in [("kubernetesversion", "version"), ("orchestratorversion", "version"), ("version", "version"),
                                ("vmsize", "nodeType"), ("count", "nodeCount"), ("imagereference", "image"), ("image", "image"),
                                ("subnet", "subnet"), ("location", "region"), ("sshpublickey", "sshPublicKey"), ("ssh", "sshPublicKey"),
                                ("adminusername", "adminUsername"),
                                ("customdata", "userData"), ("tags", "tags"), ("dnsprefix", "name"), ("name", "name")]
        where text.contains(needle) {
            return field
        }
        return "params"
    }
}
