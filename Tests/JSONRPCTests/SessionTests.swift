#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Dispatch
import Synchronization
import TestSupport
import Testing
@testable import JSONRPC

/// A `Session` on one end of a socketpair and a test client on the other.
final class SessionHarness: Sendable {
    let session: Session
    let client: LineConnection
    private let box = EndBox()

    init(options: SessionOptions = SessionOptions(maxMessageBytes: 1024)) {
        var fds: [Int32] = [0, 0]
        precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
        var table = MethodTable()
        table.register("ping") { _, _ in .object([:]) }
        table.register("slow") { params, context in
            let seconds = params?["seconds"]?.numberValue?.doubleValue ?? 60
            context.progress.begin("slow started")
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            context.progress.report("slow halfway", percentage: 50)
            return "slept"
        }
        table.register("stubborn") { _, _ in
            // Ignores cancellation on purpose, to prove the session still answers it.
            let start = DispatchTime.now()
            while DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds < 200_000_000 { usleep(1000) }
            return "finished anyway"
        }
        let box = self.box
        session = Session(number: 1, input: fds[0], output: fds[0], ownsDescriptors: true, methods: table,
                          options: options, logger: Logger(label: "test-session")) { end in box.set(end) }
        client = LineConnection(readFD: fds[1], writeFD: fds[1])
        session.start()
    }

    /// Waits for the session to end and returns why.
    func waitForEnd(timeout: Double = 20) async -> SessionEnd? { await box.wait(timeout: timeout) }
}

final class EndBox: Sendable {
    private let value = Mutex<SessionEnd?>(nil)
    private let signal = DispatchSemaphore(value: 0)
    func set(_ end: SessionEnd) { value.withLock { $0 = end }; signal.signal() }
    func wait(timeout: Double) async -> SessionEnd? {
        let signal = self.signal
        let arrived = await onOwnThread { signal.wait(timeout: .now() + timeout) == .success }
        return arrived ? value.withLock { $0 } : nil
    }
}

@Suite struct SessionTests {
    @Test func slowRequestDoesNotDelayPing() async throws {
        let harness = SessionHarness()
        // The slow request sleeps far longer than the ping may take even on a loaded machine:
        // the ping is answered while it is still in flight.
        harness.client.request(1, "slow", ["seconds": 600])
        let pong = try await harness.client.ping(id: 2, timeout: 60)
        #expect(pong["result"] == .object([:]))
        #expect(harness.client.heldMessages.allSatisfy { $0["id"] == nil })
        harness.client.notify("$/cancelRequest", ["id": 1])
        let cancelled = try await harness.client.response(1)
        #expect(cancelled["error"]?["code"] == -32800)
        #expect(cancelled["error"]?["message"] == "request cancelled")
    }

    @Test func progressUsesTheTokenAndPrecedesTheResponse() async throws {
        let harness = SessionHarness()
        harness.client.request(5, "slow", ["seconds": 0.01, "progressToken": "tok"])
        var seen: [JSONValue] = []
        while true {
            let message = try await harness.client.next()
            seen.append(message)
            if message["id"] == 5 { break }
        }
        let progress = seen.dropLast()
        #expect(progress.map { $0["params"]?["token"] } == ["tok", "tok", "tok"])
        #expect(progress.map { $0["params"]?["value"]?["kind"] } == ["begin", "report", "end"])
        #expect(progress[1]["params"]?["value"]?["percentage"] == 50)
        #expect(seen.last?["result"] == "slept")
    }

    @Test func nullIDRequestsReportProgressOnlyUnderAnExplicitToken() async throws {
        let harness = SessionHarness()
        harness.client.send(#"{"jsonrpc":"2.0","id":null,"method":"slow","params":{"seconds":0}}"#)
        let first = try await harness.client.next()
        #expect(first["id"] == .null)
        #expect(first["result"] == "slept")
        harness.client.send(#"{"jsonrpc":"2.0","id":null,"method":"slow","params":{"seconds":0,"progressToken":"p"}}"#)
        let progress = try await harness.client.next()
        #expect(progress["params"]?["token"] == "p")
        harness.client.send(#"{"jsonrpc":"2.0","method":"slow","params":{"seconds":0,"progressToken":"n"}}"#)
        _ = try await harness.client.response(.null)
        #expect(try await harness.client.ping(id: 1)["result"] == .object([:]))
        #expect(harness.client.heldMessages.allSatisfy { $0["params"]?["token"] == "p" }, "notifications report no progress")
    }

    @Test func batchesAreAnsweredAsOneArrayWithoutNotifications() async throws {
        let harness = SessionHarness()
        harness.client.send(#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","id":"b","method":"nope"},5]"#)
        let batch = try await harness.client.next()
        let members = try #require(batch.arrayValue)
        #expect(members.count == 3)
        #expect(Set(members.compactMap { $0["id"] }) == [1, "b", .null])
        #expect(members.first { $0["id"] == "b" }?["error"]?["code"] == -32601)
        #expect(members.first { $0["id"] == .null }?["error"]?["code"] == -32600)
        harness.client.send(#"[{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","method":"ping"}]"#)
        harness.client.send("[]")
        let empty = try await harness.client.next()
        #expect(empty["error"]?["code"] == -32600, "an all-notification batch sends nothing, so the next line answers []")
        #expect(empty["error"]?["message"] == "Invalid Request: empty batch")
    }

    @Test func cancelOfUnknownOrFinishedIDIsIgnored() async throws {
        let harness = SessionHarness()
        _ = try await harness.client.ping(id: 1)
        harness.client.notify("$/cancelRequest", ["id": 1])
        harness.client.notify("$/cancelRequest", ["id": "never"])
        harness.client.notify("$/cancelRequest", [:])
        _ = try await harness.client.ping(id: 2)
        #expect(harness.client.heldMessages.isEmpty)
    }

    @Test func duplicateIDInFlightIsRejectedAndReusableAfterwards() async throws {
        let harness = SessionHarness()
        harness.client.request(9, "slow", ["seconds": 30])
        harness.client.request(9, "ping")
        let rejected = try await harness.client.response(9)
        #expect(rejected["error"]?["data"]?["reason"] == "duplicateId")
        harness.client.notify("$/cancelRequest", ["id": 9])
        #expect(try await harness.client.response(9)["error"]?["code"] == -32800)
        #expect(try await harness.client.ping(id: 9)["result"] == .object([:]))
    }

    @Test func shutdownRefusesNewRequestsThenExitEndsTheSession() async throws {
        let harness = SessionHarness()
        harness.client.request(1, "shutdown")
        #expect(try await harness.client.response(1)["result"] == .null)
        harness.client.request(2, "ping")
        #expect(try await harness.client.response(2)["error"]?["code"] == -32001)
        harness.client.notify("exit")
        #expect(await harness.waitForEnd() == .exitNotification(afterShutdown: true))
    }

    @Test func endOfInputCancelsInFlightWorkAndAnswersIt() async throws {
        // A drain long enough for a cooperative pool busy with the whole suite on two cores:
        // the answers must come however long the cancelled work takes to be scheduled.
        let harness = SessionHarness(options: SessionOptions(maxMessageBytes: 1024, drainTimeoutSeconds: 120))
        harness.client.request(1, "slow", ["seconds": 60])
        harness.client.request(2, "stubborn")
        harness.client.closeWrite()
        #expect(try await harness.client.response(1)["error"]?["code"] == -32800)
        #expect(try await harness.client.response(2)["result"] == "finished anyway")
        #expect(await harness.waitForEnd() == .endOfInput)
    }

    @Test func oversizedLineIsAnsweredAndTheSessionGoesOn() async throws {
        let harness = SessionHarness(options: SessionOptions(maxMessageBytes: 64))
        let line = #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":""# + String(repeating: "x", count: 100) + "\"}}"
        harness.client.send(line)
        let error = try await harness.client.next()
        #expect(error["id"] == .null)
        #expect(error["error"]?["code"] == -32600)
        #expect(error["error"]?["data"]?["limit"] == 64)
        #expect(error["error"]?["data"]?["size"] == .int(line.utf8.count))
        #expect(try await harness.client.ping(id: 2)["result"] == .object([:]))
    }

    @Test func manyConcurrentRequestsAllGetAnswers() async throws {
        let harness = SessionHarness(options: SessionOptions(maxMessageBytes: 1024, maxConcurrentRequests: 8))
        var lines = ""
        for id in 0..<2000 { lines += #"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"# + "\n" }
        await harness.client.sendBulk(Array(lines.utf8))
        var ids = Set<Int>()
        for _ in 0..<2000 {
            let message = try await harness.client.next()
            ids.insert(try #require(message["id"]?.numberValue?.intValue))
        }
        #expect(ids == Set(0..<2000))
    }

    @Test func peerVanishingCancelsItsWork() async throws {
        let harness = SessionHarness()
        harness.client.request(1, "slow", ["seconds": 60])
        _ = try await harness.client.ping(id: 2)
        harness.client.close()
        let end = await harness.waitForEnd(timeout: 15)
        #expect(end != nil, "the session ends promptly instead of waiting for the 60 s request")
    }
}
