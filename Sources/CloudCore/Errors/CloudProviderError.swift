/// What went wrong, in cloud terms, for every provider alike.
///
/// Providers translate their cloud's errors into these cases; the agent turns each case into
/// one documented JSON-RPC error code with the case's fields as `data`. Messages are for
/// people and never contain secrets.
public enum CloudProviderError: Error, Sendable, Equatable {
    /// The resource does not exist (or is not visible to these credentials).
    case notFound(resourceType: String, name: String)
    /// The resource already exists, or its current state forbids the operation.
    case conflict(resourceType: String, name: String, reason: String)
    /// A field of the request is invalid; `field` names it as the caller spelled it.
    case invalidRequest(field: String, reason: String)
    /// No usable credentials, or the cloud rejected them.
    case unauthenticated(reason: String)
    /// The credentials are valid but lack permission.
    case permissionDenied(reason: String)
    /// The cloud asked us to slow down.
    case throttled(retryAfterSeconds: Double?, reason: String)
    /// A wait ended before the resource reached its target; the cloud operation goes on.
    case timeout(WaitFailure)
    /// A wait was cancelled; the cloud operation goes on.
    case cancelled(WaitFailure)
    /// The provider cannot do this (not implemented yet, or the cloud has no such thing).
    case unsupportedOperation(provider: String, kind: ProviderKind, operation: String, reason: String)
    /// Any other failure the cloud reported.
    case providerError(ProviderFailure)
}

/// Where a wait stood when it ended without reaching its target.
public struct WaitFailure: Sendable, Equatable {
    public var resourceType: String
    public var name: String
    /// The status the wait was for (e.g. `active`, `stopped`, `deleted`).
    public var target: String
    /// The last status seen, if any poll succeeded.
    public var lastStatus: ResourceStatus?
    public var lastProviderStatus: String?
    public var elapsedSeconds: Double

    public init(resourceType: String, name: String, target: String, lastStatus: ResourceStatus?,
                lastProviderStatus: String?, elapsedSeconds: Double) {
        self.resourceType = resourceType
        self.name = name
        self.target = target
        self.lastStatus = lastStatus
        self.lastProviderStatus = lastProviderStatus
        self.elapsedSeconds = elapsedSeconds
    }
}

/// A failure reported by the cloud that fits no other case.
public struct ProviderFailure: Sendable, Equatable {
    /// The HTTP status of the failing response, when there was one.
    public var httpStatus: Int?
    /// The cloud's own error code (`ResourceInUseException`, `FAILED_PRECONDITION` …).
    public var code: String
    public var message: String
    /// The cloud's request id, for support tickets.
    public var requestID: String?
    /// Whether the same request may succeed if sent again later.
    public var retryable: Bool

    public init(httpStatus: Int? = nil, code: String, message: String, requestID: String? = nil, retryable: Bool = false) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.requestID = requestID
        self.retryable = retryable
    }
}

extension CloudProviderError: CustomStringConvertible {
    /// A sentence for people: what failed and, where it helps, what to do.
    public var description: String {
        switch self {
        case .notFound(let type, let name):
            return "\(type) '\(name)' was not found"
        case .conflict(let type, let name, let reason):
            return "\(type) '\(name)': \(reason)"
        case .invalidRequest(let field, let reason):
            return "'\(field)' \(reason)"
        case .unauthenticated(let reason):
            return "not authenticated: \(reason)"
        case .permissionDenied(let reason):
            return "permission denied: \(reason)"
        case .throttled(let after, let reason):
            return "throttled by the cloud: \(reason)" + (after.map { " (retry after \(Self.seconds($0)))" } ?? "")
        case .timeout(let failure):
            return "timed out after \(Self.seconds(failure.elapsedSeconds)) waiting for \(failure.resourceType) '\(failure.name)' "
                + "to become \(failure.target)\(failure.lastSeenText); the operation continues in the cloud"
        case .cancelled(let failure):
            return "stopped waiting for \(failure.resourceType) '\(failure.name)' to become \(failure.target)"
                + "\(failure.lastSeenText); the wait was cancelled, not the operation, which continues in the cloud"
        case .unsupportedOperation(let provider, let kind, let operation, let reason):
            return "provider '\(provider)' (\(kind.rawValue)) cannot \(operation): \(reason)"
        case .providerError(let failure):
            var text = "\(failure.code): \(failure.message)"
            if let status = failure.httpStatus { text += " (HTTP \(status))" }
            if let id = failure.requestID { text += " [request id \(id)]" }
            return text
        }
    }

    /// Whether sending the same request again later may succeed.
    public var isRetryable: Bool {
        switch self {
        case .throttled: return true
        case .providerError(let failure): return failure.retryable
        default: return false
        }
    }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(Int((value * 10).rounded()) / 10) + "." + String(Int((value * 10).rounded()) % 10) + " s"
                   : "\(Int(value.rounded())) s"
    }
}

extension WaitFailure {
    fileprivate var lastSeenText: String {
        guard let lastStatus else { return " (no status seen yet)" }
        return " (last status \(lastStatus.rawValue)" + (lastProviderStatus.map { ", \($0)" } ?? "") + ")"
    }
}
