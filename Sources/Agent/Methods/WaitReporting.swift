import CloudCore
import JSONRPC

/// Runs a mutation and, if asked, waits for its result, streaming `$/progress`: a `begin`,
/// a `report` per status or phase change (and heartbeats), and an `end`.
enum WaitReporting {
    /// - Parameters:
    ///   - timeout: nil to return right after the call, without waiting.
    ///   - describe: the `begin` message.
    ///   - waitFor: waits for the resource the operation returned.
    static func perform<Resource: Sendable>(
        _ context: RequestContext, timeout: Duration?, describe: String,
        operation: () async throws -> Resource,
        waitFor: (Resource, WaitOptions) async throws -> Resource
    ) async throws -> Resource {
        guard let timeout else { return try await operation() }
        context.progress.begin(describe)
        let resource = try await operation()
        let result = try await waitFor(resource, options(timeout: timeout, context: context))
        context.progress.end("done")
        return result
    }

    /// Runs a wait on its own (`waitClusterReady`, `waitInstanceReady`) with the same progress.
    static func wait<Resource: Sendable>(_ context: RequestContext, timeout: Duration, describe: String,
                                         _ body: (WaitOptions) async throws -> Resource) async throws -> Resource {
        context.progress.begin(describe)
        let resource = try await body(options(timeout: timeout, context: context))
        context.progress.end("done")
        return resource
    }

    /// Wait options that turn wait events into progress reports with `phase`, `status`,
    /// `providerStatus`, `elapsedSeconds`, `reason` and the `resource` as last seen.
    static func options(timeout: Duration, context: RequestContext) -> WaitOptions {
        WaitOptions(timeout: timeout) { event in
            let elapsed = (event.elapsedSeconds * 10).rounded() / 10
            var details: [String: JSONValue] = [
                "phase": .string(event.phase), "status": .string(event.status.rawValue),
                "providerStatus": .string(event.providerStatus), "elapsedSeconds": .double(elapsed),
                "reason": .string(event.reason.rawValue),
            ]
            // Encoded once per poll however many waits report it.
            details["resource"] = event.snapshot.converted { (try? JSONValue(encoding: $0)) ?? .null }
            let message = "\(event.subject.resourceType) \(event.subject.name): \(event.phase) [\(event.status.rawValue), \(elapsed) s]"
            context.progress.report(message, details: details)
        }
    }
}
