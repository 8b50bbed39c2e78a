import Diagnostics
import Testing
@testable import JSONRPC

enum Greet: RPCMethod {
    static let name = "greet"
    struct Inner: Codable, Sendable { var flag: Bool }
    struct Params: Codable, Sendable {
        var name: String
        var count: Int?
        var inner: Inner?
        var list: [Int]?
    }
    struct Result: Codable, Sendable { var greeting: String }
}

struct Boom: Error {}

func makeContext(_ id: Int = 1, events: (@Sendable (ProgressReporter.Event) -> Void)? = nil) -> RequestContext {
    let reporter = events.map { sink in ProgressReporter(token: .int(id)) { _, event in sink(event) } } ?? .disabled
    return RequestContext(id: RequestID(id), method: "m", progress: reporter, logger: Logger(label: "test"))
}

@Suite struct MethodTableTests {
    let table: MethodTable = {
        var table = MethodTable()
        table.register(Greet.self) { params, _ in Greet.Result(greeting: "hello \(params.name) x\(params.count ?? 1)") }
        table.register("boom") { _, _ in throw Boom() }
        table.register("wait") { _, context in
            context.progress.begin("waiting")
            try await Task.sleep(nanoseconds: 60_000_000_000)
            return .null
        }
        return table
    }()

    private func error(_ params: JSONValue?) async -> RPCError? {
        if case .error(_, let error) = await table.respond(id: RequestID(1), method: "greet", params: params, context: makeContext()) {
            return error
        }
        return nil
    }

    @Test func decodesTypedParamsAndEncodesTheResult() async {
        let response = await table.respond(id: RequestID(1), method: "greet", params: ["name": "ann", "count": 2, "extra": true],
                                           context: makeContext())
        #expect(response == .result(id: RequestID(1), result: ["greeting": "hello ann x2"]))
    }

    @Test func invalidParamsNameTheParamAndTheReason() async {
        #expect(await error(nil)?.message == "Invalid params: 'name' is required")
        #expect(await error(["name": 5])?.message == "Invalid params: 'name' must be a string, not a number")
        #expect(await error(["name": "a", "count": "3"])?.data == ["param": "count", "reason": "must be an integer, not a string"])
        #expect(await error(["name": "a", "inner": ["flag": "yes"]])?.data?["param"] == "inner.flag")
        #expect(await error(["name": "a", "list": [1, "x"]])?.data?["param"] == "list[1]")
        #expect(await error(["name": .null])?.message == "Invalid params: 'name' must be a string, not null")
        #expect(await error(["name": "a", "count": 1.5])?.code == .invalidParams)
        #expect(await error(["name": "a", "count": .number(JSONNumber(validatedLiteral: "1e400"))])?.code == .invalidParams)
        #expect(await error([1, 2])?.message == "Invalid params: params must be an object of named params, not an array")
    }

    @Test func unexpectedErrorsBecomeInternalErrors() async {
        let response = await table.respond(id: RequestID(2), method: "boom", params: nil, context: makeContext())
        guard case .error(_, let error) = response else { Issue.record("expected an error"); return }
        #expect(error.code == .internalError)
        #expect(error.message == "Internal error: Boom")
    }

    @Test func unknownMethodIsMethodNotFound() async {
        let response = await table.respond(id: RequestID(3), method: "nope", params: nil, context: makeContext())
        #expect(response == .error(id: RequestID(3), error: .methodNotFound("nope")))
    }

    @Test func cancellingTheTaskAnswersRequestCancelledAndEndsProgress() async {
        let events = EventLog()
        let table = self.table
        let task = Task { await table.respond(id: RequestID(4), method: "wait", params: nil, context: makeContext(4) { events.append($0) }) }
        try? await events.waitForCount(1)
        task.cancel()
        #expect(await task.value == .error(id: RequestID(4), error: .requestCancelled))
        #expect(events.all.map(\.kind) == [.begin, .end])
        #expect(events.all.last?.message == "cancelled")
    }

    @Test func progressTokenComesFromParamsThenMetaThenID() {
        #expect(ProgressReporter.token(params: ["progressToken": "p"], id: RequestID(1)) == "p")
        #expect(ProgressReporter.token(params: ["_meta": ["progressToken": 9]], id: RequestID(1)) == 9)
        #expect(ProgressReporter.token(params: ["progressToken": ["bad"]], id: RequestID(1)) == 1)
        #expect(ProgressReporter.token(params: nil, id: .string("r")) == "r")
        #expect(ProgressReporter.token(params: nil, id: nil) == nil)
    }

    @Test func progressSequenceStaysWellFormed() {
        let events = EventLog()
        let reporter = ProgressReporter(token: "t") { _, event in events.append(event) }
        reporter.report("early", percentage: 150)
        reporter.begin("again")
        reporter.report("half", percentage: 50)
        reporter.end("done")
        reporter.report("late")
        reporter.end("twice")
        #expect(events.all.map(\.kind) == [.begin, .report, .report, .end])
        #expect(events.all.first?.percentage == 100)
    }
}
