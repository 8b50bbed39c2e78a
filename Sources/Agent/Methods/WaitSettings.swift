import CloudCore
import JSONRPC

/// The `wait` and `timeoutSeconds` params of mutations and waits, checked before any work.
enum WaitSettings {
    /// Default limits, as generous as Terraform's defaults for the same resources.
    static let clusterTimeout = 3600.0
    static let nodePoolTimeout = 3600.0
    static let instanceTimeout = 1800.0
    static let maximumTimeout = 86_400.0

    /// The wait's limit if the caller asked to wait (`wait: true`), else nil.
    static func forMutation(wait: Bool?, timeoutSeconds: Double?, defaultSeconds: Double) throws(RPCError) -> Duration? {
        guard wait == true else {
            if timeoutSeconds != nil {
                throw RPCError.invalidParams(param: "timeoutSeconds", reason: "applies only with \"wait\": true")
            }
            return nil
        }
        return try forWait(timeoutSeconds: timeoutSeconds, defaultSeconds: defaultSeconds)
    }

    static func forWait(timeoutSeconds: Double?, defaultSeconds: Double) throws(RPCError) -> Duration {
        let seconds = timeoutSeconds ?? defaultSeconds
        guard seconds.isFinite, seconds > 0, seconds <= maximumTimeout else {
            throw RPCError.invalidParams(param: "timeoutSeconds", reason: "must be more than 0 and at most \(Int(maximumTimeout)) (24 hours)")
        }
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// The page a list call asks for.
    static func page(limit: Int?, pageToken: String?) throws(RPCError) -> PageRequest {
        let limit = limit ?? PageRequest.defaultLimit
        guard (1...PageRequest.maximumLimit).contains(limit) else {
            throw RPCError.invalidParams(param: "limit", reason: "must be from 1 to \(PageRequest.maximumLimit)")
        }
        if let pageToken, pageToken.isEmpty {
            throw RPCError.invalidParams(param: "pageToken", reason: "must not be empty; omit it for the first page")
        }
        return PageRequest(limit: limit, pageToken: pageToken)
    }
}
