import CloudCore
import Foundation

/// Where to follow a long-running ARM operation, from a 201 or 202 answer: the
/// `Azure-AsyncOperation` URL (a status resource) when given, else the `Location` URL
/// (202 while running, 200 or 204 when done), with the `Retry-After` ARM asked for.
struct ARMOperationReference: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case asyncOperation, location
    }

    var url: URL
    var kind: Kind
    /// Seconds ARM asked to wait before the first poll.
    var retryAfter: Double?

    init(url: URL, kind: Kind, retryAfter: Double? = nil) {
        self.url = url
        self.kind = kind
        self.retryAfter = retryAfter
    }

    /// The reference a response carries, or nil when the call was synchronous.
    init?(_ response: HTTPResponse, endpoints: AzureEndpoints) {
        guard response.status == 201 || response.status == 202 else { return nil }
        if let text = response.header("Azure-AsyncOperation"), let url = URL(string: text) {
            self.init(url: url, kind: .asyncOperation, retryAfter: RetryPolicy.retryAfter(response))
        } else if let text = response.header("Location"), let url = URL(string: text) {
            self.init(url: url, kind: .location, retryAfter: RetryPolicy.retryAfter(response))
        } else {
            return nil
        }
    }
}

/// Where a long-running operation stands.
struct ARMOperationStatus: Sendable, Equatable {
    /// `InProgress`, `Succeeded`, `Failed` or `Canceled` (other in-progress values are kept).
    var status: String
    var error: ARMErrorMapping.Detail?
    /// Seconds ARM asked to wait before the next poll.
    var retryAfter: Double?

    var isDone: Bool { ["succeeded", "failed", "canceled", "cancelled"].contains(status.lowercased()) }
    var succeeded: Bool { status.lowercased() == "succeeded" }

    /// Whether a newer operation took over before it ended (Compute's `OperationPreempted`,
    /// AKS's `AKSOperationPreempted` and `AKSOperationPreemptedByDelete`): the resource is
    /// what that one makes it, which is no failure of this one's.
    var wasPreempted: Bool {
        ["OperationPreempted", "AKSOperationPreempted", "AKSOperationPreemptedByDelete"].contains(error?.code ?? "")
    }

    /// Why it did not succeed, for people.
    var failureMessage: String? {
        guard isDone, !succeeded else { return nil }
        guard let error else { return "the operation ended \(status)" }
        return "\(error.fullMessage) (\(error.code ?? status))"
    }
}

extension ARMClient {
    private struct StatusBody: Decodable {
        var status: String?
        var error: ARMErrorMapping.Detail?
    }

    /// Reads where the operation stands (one request).
    func operationStatus(_ reference: ARMOperationReference, subject: Subject) async throws -> ARMOperationStatus {
        switch reference.kind {
        case .asyncOperation:
            let response = try await exchange("GET", reference.url, body: [], subject: subject)
            let body = try decode(StatusBody.self, response, label: "GET \(reference.url.path)")
            return ARMOperationStatus(status: body.status ?? "InProgress", error: body.error, retryAfter: RetryPolicy.retryAfter(response))
        case .location:
            // 202 while it runs, 200 or 204 once it succeeded, else its error with ARM's code.
            do {
                let response = try await exchange("GET", reference.url, body: [], subject: subject, outcome: true)
                if response.status == 202 {
                    return ARMOperationStatus(status: "InProgress", retryAfter: RetryPolicy.retryAfter(response))
                }
                return ARMOperationStatus(status: "Succeeded")
            } catch CloudProviderError.providerError(let failure) where !failure.retryable {
                return ARMOperationStatus(status: "Failed", error: .init(code: failure.code, message: failure.message))
            }
        }
    }

    /// Polls the operation until it is done, waiting what ARM asks (`Retry-After`), else
    /// `policy`'s backoff; at most `limit` in all.
    func finish(_ reference: ARMOperationReference, subject: Subject, policy: PollPolicy, limit: Duration) async throws -> ARMOperationStatus {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var attempt = 0
        var wait = reference.retryAfter
        while true {
            let pause = wait.map { Duration.milliseconds(Int64(min($0, 60) * 1000)) } ?? policy.delay(attempt: attempt + 1)
            if attempt > 0 || wait != nil { try await Task.sleep(for: pause) }
            attempt += 1
            let status = try await operationStatus(reference, subject: subject)
            if status.isDone { return status }
            guard clock.now < deadline else {
                throw CloudProviderError.providerError(ProviderFailure(
                    code: "OperationTimedOut", message: "the \(subject.resourceType) '\(subject.name)' operation was not done within \(limit.seconds) s",
                    retryable: true))
            }
            wait = status.retryAfter
        }
    }
}
