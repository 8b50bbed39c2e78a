import JSONRPC

/// `debug.sleep`: waits, reporting progress; exists to exercise concurrency, progress and
/// cancellation from clients and tests.
public enum DebugSleep: RPCMethod {
    public static let name = "debug.sleep"

    public struct Params: Codable, Sendable {
        /// How long to wait, 0 to 3600 seconds.
        public var seconds: Double
        /// How many progress reports to send (1 to 1000); default one a second, at least one, at most 1000.
        public var steps: Int?
    }

    public struct Result: Codable, Sendable, Equatable {
        public var slept: Double
    }

    static func run(_ params: Params, context: RequestContext) async throws -> Result {
        guard params.seconds.isFinite, (0...3600).contains(params.seconds) else {
            throw RPCError.invalidParams(param: "seconds", reason: "must be between 0 and 3600")
        }
        let steps = params.steps ?? min(1000, max(1, Int(params.seconds.rounded(.up))))
        guard (1...1000).contains(steps) else {
            throw RPCError.invalidParams(param: "steps", reason: "must be between 1 and 1000")
        }
        context.progress.begin("sleeping for \(JSONNumber(params.seconds)) s", percentage: 0)
        let stepNanoseconds = UInt64(params.seconds * 1e9 / Double(steps))
        for step in 1...steps {
            try await Task.sleep(nanoseconds: stepNanoseconds)
            context.progress.report("slept \(step) of \(steps) steps", percentage: step * 100 / steps)
        }
        context.progress.end("done")
        return Result(slept: params.seconds)
    }
}
