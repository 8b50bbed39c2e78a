#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSONRPC
import Testing
import TestSupport

/// The real binary over stdin/stdout: protocol behaviour and process lifecycle.
@Suite struct StdioTests {
    @Test func initializeDescribesTheAgent() async throws {
        let agent = try AgentProcess()
        agent.connection.request(1, "initialize", ["clientInfo": ["name": "e2e"], "protocolVersion": "2026-11-28"])
        let result = try #require(try await agent.connection.response(1)["result"])
        #expect(result["serverInfo"]?["name"] == "cloud-agent")
        #expect(result["protocolVersion"] == "2026-11-28")
        let methods = try #require(result["capabilities"]?["methods"]?.arrayValue)
        #expect(methods.contains("ping") && methods.contains("debug.sleep") && methods.contains("shutdown"))
        #expect(result["capabilities"]?["transports"] == ["stdio", "unix"])
    }

    @Test func requestsWorkWithoutAHandshake() async throws {
        let agent = try AgentProcess()
        #expect(try await agent.connection.ping(id: 1)["result"] == .object([:]))
    }

    @Test func slowRequestDoesNotDelayPingAndResponsesComeOutOfOrder() async throws {
        let agent = try AgentProcess()
        agent.connection.request(1, "debug.sleep", ["seconds": 30])
        agent.connection.request(2, "ping")
        let first = try await agent.connection.first { $0["id"] != nil }
        #expect(first["id"] == 2, "ping answered before the sleep")
        agent.connection.notify("$/cancelRequest", ["id": 1])
        let cancelled = try await agent.connection.response(1)
        #expect(cancelled["error"] == ["code": -32800, "message": "request cancelled"])
    }

    @Test func progressIsReportedUnderTheRequestedToken() async throws {
        let agent = try AgentProcess()
        agent.connection.request(1, "debug.sleep", ["seconds": 0.2, "steps": 2, "_meta": ["progressToken": "meta-token"]])
        var kinds: [JSONValue] = []
        while true {
            let message = try await agent.connection.next()
            if message["id"] == 1 {
                #expect(message["result"] == ["slept": 0.2])
                break
            }
            #expect(message["method"] == "$/progress")
            #expect(message["params"]?["token"] == "meta-token")
            kinds.append(message["params"]?["value"]?["kind"] ?? .null)
        }
        #expect(kinds == ["begin", "report", "report", "end"])
        agent.connection.request(2, "debug.sleep", ["seconds": 0, "progressToken": 77])
        let begin = try await agent.connection.next()
        #expect(begin["params"]?["token"] == 77)
        agent.connection.request(3, "debug.sleep", ["seconds": 0])
        let byID = try await agent.connection.first { $0["params"]?["token"] == 3 }
        #expect(byID["params"]?["value"]?["kind"] == "begin", "without a token, the request id is the token")
    }

    @Test func shutdownThenExitEndsWithStatusZero() async throws {
        let agent = try AgentProcess()
        agent.connection.request(1, "shutdown")
        #expect(try await agent.connection.response(1)["result"] == .null)
        agent.connection.request(2, "ping")
        let refused = try await agent.connection.response(2)
        #expect(refused["error"]?["code"] == -32001)
        agent.connection.notify("exit")
        #expect(try await agent.waitForExit() == 0)
    }

    @Test func exitWithoutShutdownEndsWithStatusOne() async throws {
        let agent = try AgentProcess()
        _ = try await agent.connection.ping(id: 1)
        agent.connection.notify("exit")
        #expect(try await agent.waitForExit() == 1)
    }

    @Test func endOfInputCancelsInFlightWorkFlushesAndExitsZero() async throws {
        let agent = try AgentProcess()
        agent.connection.request(1, "debug.sleep", ["seconds": 60])
        agent.connection.request(2, "ping")
        _ = try await agent.connection.response(2)
        agent.connection.closeWrite()
        let cancelled = try await agent.connection.response(1)
        #expect(cancelled["error"]?["code"] == -32800)
        #expect(try await agent.waitForExit(timeout: 10) == 0)
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func signalCancelsInFlightWorkAndExitsZero(signal: Int32) async throws {
        let agent = try AgentProcess()
        agent.connection.request(1, "debug.sleep", ["seconds": 60])
        _ = try await agent.connection.first { $0["method"] == "$/progress" }
        agent.signal(signal)
        let cancelled = try await agent.connection.response(1)
        #expect(cancelled["error"]?["code"] == -32800)
        #expect(try await agent.waitForExit(timeout: 10) == 0)
        #expect(agent.stderr.contains("received signal \(signal)"))
    }

    @Test func stdoutCarriesOnlyProtocolMessagesWhileLogsGoToStderr() async throws {
        let agent = try AgentProcess(["serve", "--log-level", "trace"])
        agent.connection.send("{not json")
        agent.connection.request(1, "debug.sleep", ["seconds": 0.05])
        agent.connection.notify("$/cancelRequest", ["id": 999])
        _ = try await agent.connection.response(1)
        agent.connection.closeWrite()
        #expect(try await agent.waitForExit() == 0)
        for message in agent.connection.heldMessages {
            #expect(message["jsonrpc"] == "2.0")
        }
        #expect(agent.stderr.contains("debug [cloud-agent/stdio] parse error"))
        #expect(agent.stderr.contains("ignored cancellation of unknown or finished request 999"))
    }

    @Test func anUndrainedStderrNeverStallsTheAgent() async throws {
        let agent = try AgentProcess(["serve", "--log-level", "debug"], drainingStderr: false)
        // Each ignored notification logs a debug line: far more than a pipe buffer holds.
        let noise = String(repeating: #"{"jsonrpc":"2.0","method":"no.such.notification"}"# + "\n", count: 5_000)
        await agent.connection.sendBulk(Array(noise.utf8))
        #expect(try await agent.connection.ping(id: 1)["result"] == .object([:]))
        agent.connection.request(2, "debug.sleep", ["seconds": 0])
        #expect(try await agent.connection.response(2)["result"] == ["slept": 0])
    }

    @Test func logLevelComesFromTheEnvironmentToo() async throws {
        let quiet = try await AgentProcess.run(["serve"], input: "{oops\n", environment: ["CLOUD_AGENT_LOG": "error"])
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty)
        #expect(quiet.stdout.contains("-32700"))
        let chatty = try await AgentProcess.run(["serve"], input: "{oops\n", environment: ["CLOUD_AGENT_LOG": "debug"])
        #expect(chatty.stderr.contains("parse error"))
    }

    @Test func linesNeverInterleaveUnderConcurrentOutput() async throws {
        let agent = try AgentProcess(["serve", "--log-level", "error"])
        let payload = String(repeating: "abcdefghij", count: 10_000)
        var lines = ""
        for id in 0..<200 {
            lines += #"{"jsonrpc":"2.0","id":\#(id),"method":"debug.echo","params":{"blob":"\#(payload)","n":\#(id)}}"# + "\n"
            lines += #"{"jsonrpc":"2.0","id":\#(1000 + id),"method":"debug.sleep","params":{"seconds":0.01,"steps":5}}"# + "\n"
        }
        await agent.connection.sendBulk(Array(lines.utf8))
        var echoes = 0, sleeps = 0, progress = 0
        while echoes + sleeps < 400 {
            let message = try await agent.connection.next()  // throws if a line is not valid JSON
            if message["method"] == "$/progress" {
                progress += 1
            } else if let id = message["id"]?.numberValue?.intValue, id < 1000 {
                #expect(message["result"]?["blob"]?.stringValue == payload)
                #expect(message["result"]?["n"] == .int(id))
                echoes += 1
            } else {
                sleeps += 1
            }
        }
        #expect(progress == 200 * 7)
    }

    @Test func maxMessageBytesIsConfigurable() async throws {
        let agent = try AgentProcess(["serve", "--max-message-bytes", "100"])
        agent.connection.request(1, "debug.echo", ["pad": .string(String(repeating: "x", count: 200))])
        let error = try await agent.connection.next()
        #expect(error["error"]?["code"] == -32600)
        #expect(error["error"]?["data"]?["limit"] == 100)
        #expect(try await agent.connection.ping(id: 2)["result"] == .object([:]))
    }
}
