import Diagnostics

/// What a handler knows about the request it serves, besides its params.
///
/// Cancellation is the Swift task's: a cancelled request's handler sees `Task.isCancelled`
/// and `CancellationError` from `Task.sleep` and friends.
public struct RequestContext: Sendable {
    /// The request's id (nil for a request sent with `"id": null`).
    public let id: RequestID?
    /// The method name as sent.
    public let method: String
    /// Sends `$/progress` notifications for this request.
    public let progress: ProgressReporter
    /// What the serving session knows of its peer (handlers may record that it speaks MCP).
    public let traits: SessionTraits
    /// The logger of whatever serves the request (the session); see `logger`.
    private let baseLogger: Logger

    /// A logger labelled with the session and request (built on use: most requests never log).
    public var logger: Logger { baseLogger.child("request \(id?.description ?? "-")") }

    /// - Parameter logger: the serving session's logger; the request's label is added on use.
    public init(id: RequestID?, method: String, progress: ProgressReporter, logger: Logger, traits: SessionTraits = SessionTraits()) {
        self.id = id
        self.method = method
        self.progress = progress
        self.traits = traits
        self.baseLogger = logger
    }
}
