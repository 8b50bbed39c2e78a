import CloudCore
import Foundation

/// Google API error bodies as `CloudProviderError`s, for GKE and Compute alike.
///
/// Both answer `{"error": {"code": HTTP, "message", "status": "NOT_FOUND", "details": […]}}`;
/// Compute adds `errors: [{"reason": "notFound", …}]`. The canonical `status` decides; the
/// HTTP status stands in when a body has none.
enum GCPErrorMapping {
    /// An error response's parts.
    struct Failure: Sendable, Equatable {
        var httpStatus: Int
        var status: String
        var message: String
        var reason: String?
    }

    private struct Body: Decodable {
        struct Detail: Decodable {
            var code: Int?
            var message: String?
            var status: String?
            var errors: [Reason]?
        }
        struct Reason: Decodable { var reason: String? }
        var error: Detail?
    }

    /// Reads an error response; a body that is not Google's shape keeps its first 200 bytes.
    static func failure(_ response: HTTPResponse) -> Failure {
        let parsed = try? JSONDecoder().decode(Body.self, from: Data(response.body))
        let detail = parsed?.error
        return Failure(httpStatus: response.status, status: detail?.status ?? "",
                       message: detail?.message ?? String(decoding: response.body.prefix(200), as: UTF8.self),
                       reason: detail?.errors?.first?.reason)
    }

    static func error(_ failure: Failure, resourceType: String, name: String) -> CloudProviderError {
        let status = failure.status.isEmpty ? canonicalStatus(httpStatus: failure.httpStatus) : failure.status
        let reason = failure.message.isEmpty ? status : "\(failure.message) (\(status))"
        switch status {
        case "NOT_FOUND":
            return .notFound(resourceType: resourceType, name: name)
        case "ALREADY_EXISTS", "ABORTED":
            return .conflict(resourceType: resourceType, name: name, reason: reason)
        case "FAILED_PRECONDITION":
            // GKE: "Operation … is currently …: wait and try again"; Compute: resource not ready.
            return .conflict(resourceType: resourceType, name: name, reason: reason)
        case "INVALID_ARGUMENT", "OUT_OF_RANGE":
            return .invalidRequest(field: field(for: failure.message), reason: reason)
        case "UNAUTHENTICATED":
            return .unauthenticated(reason: reason)
        case "PERMISSION_DENIED":
            return .permissionDenied(reason: reason)
        case "RESOURCE_EXHAUSTED":
            return .throttled(retryAfterSeconds: nil, reason: reason)
        default:
            return .providerError(ProviderFailure(httpStatus: failure.httpStatus, code: status, message: failure.message,
                                                  retryable: status == "UNAVAILABLE" || status == "INTERNAL" || status == "DEADLINE_EXCEEDED"
                                                      || RetryPolicy.isRetryable(status: failure.httpStatus)))
        }
    }

    /// The canonical status for an HTTP status, as Google's libraries map them.
    static func canonicalStatus(httpStatus: Int) -> String {
        switch httpStatus {
        case 400: return "INVALID_ARGUMENT"
        case 401: return "UNAUTHENTICATED"
        case 403: return "PERMISSION_DENIED"
        case 404: return "NOT_FOUND"
        case 409: return "ALREADY_EXISTS"
        case 412: return "FAILED_PRECONDITION"
        case 429: return "RESOURCE_EXHAUSTED"
        case 499: return "CANCELLED"
        case 501: return "UNIMPLEMENTED"
        case 503: return "UNAVAILABLE"
        case 504: return "DEADLINE_EXCEEDED"
        case 500...599: return "INTERNAL"
        default: return "HTTP\(httpStatus)"
        }
    }

    /// The request field an invalid-argument message names, when it names one we know.
    private static func field(for message: String) -> String {
        let text = message.lowercased()
        for (needle, field) in [("version", "version"), ("machine type", "nodeType"), ("machinetype", "instanceType"),
                                ("node count", "nodeCount"), ("nodecount", "nodeCount"), ("image", "image"),
                                ("subnetwork", "subnets"), ("network", "subnets"), ("zone", "zone"), ("location", "region"),
                                ("label", "tags"), ("name", "name")]
        where text.contains(needle) {
            return field
        }
        return "params"
    }
}
