#if canImport(Glibc)
import Glibc
#endif
import JSONRPC
import Testing
import TestSupport

/// `cloud-agent` as a shell command: help, version, usage errors and `call`.
@Suite struct CommandLineTests {
    @Test(arguments: [["--help"], ["-h"], ["help"], ["serve", "--help"]])
    func helpPrintsUsageAndSucceeds(arguments: [String]) async throws {
        let result = try await AgentProcess.run(arguments)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Usage:"))
        #expect(result.stdout.contains("cloud-agent call METHOD"))
        #expect(result.stderr.isEmpty)
    }

    @Test func versionPrintsNameVersionAndProtocol() async throws {
        let result = try await AgentProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "cloud-agent 0.1.0 (protocol 2026-11-28)\n")
    }

    @Test(arguments: [
        (["--bogus"], "unknown option '--bogus'"),
        ([], "missing command"),
        (["launch"], "unknown command 'launch'"),
        (["call"], "call needs a METHOD"),
        (["call", "ping", "{}", "extra"], "at most one PARAMS_JSON"),
        (["call", "ping", "{not json"], "PARAMS_JSON is not valid JSON"),
        (["serve", "--max-message-bytes", "ten"], "must be an integer"),
        (["serve", "--max-message-bytes"], "needs a value"),
        (["serve", "--log-level", "loud"], "unknown log level 'loud'"),
        (["serve", "extra"], "serve takes no operands"),
        (["--version=1"], "takes no value"),
    ])
    func usageErrorsExitTwoWithAHint(arguments: [String], message: String) async throws {
        let result = try await AgentProcess.run(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("cloud-agent: "))
        #expect(result.stderr.contains(message))
        #expect(result.stderr.contains("Try 'cloud-agent --help'."))
    }

    @Test func callPrintsTheResultOnStdout() async throws {
        let result = try await AgentProcess.run(["call", "debug.echo", #"{"b":[1,2],"a":"x"}"#])
        #expect(result.status == 0)
        #expect(result.stdout == "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    2\n  ]\n}\n")
        let compact = try await AgentProcess.run(["call", "--compact", "ping"])
        #expect(compact.stdout == "{}\n")
    }

    @Test func callReadsParamsFromStdinWithDash() async throws {
        let result = try await AgentProcess.run(["call", "debug.echo", "-", "--compact"], input: #"{"from":"stdin"}"#)
        #expect(result.status == 0)
        #expect(result.stdout == #"{"from":"stdin"}"# + "\n")
    }

    @Test func callStreamsProgressToStderr() async throws {
        let result = try await AgentProcess.run(["call", "debug.sleep", #"{"seconds":0.1,"steps":2}"#])
        #expect(result.status == 0)
        #expect(result.stderr.contains("progress [begin 0%] sleeping for 0.1 s"))
        #expect(result.stderr.contains("progress [report 50%] slept 1 of 2 steps"))
        #expect(result.stderr.contains("progress [end] done"))
        let quiet = try await AgentProcess.run(["call", "--quiet", "debug.sleep", #"{"seconds":0}"#])
        #expect(!quiet.stderr.contains("progress"))
    }

    @Test func callFailurePrintsTheErrorJSONOnStderrAndExitsOne() async throws {
        let result = try await AgentProcess.run(["call", "debug.sleep", #"{"seconds":"x"}"#])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let error = try JSONParser.parse(result.stderr)
        #expect(error["error"]?["code"] == -32602)
        #expect(error["error"]?["data"]?["param"] == "seconds")
        let unknown = try await AgentProcess.run(["call", "noSuchMethod"])
        #expect(unknown.status == 1)
        #expect(try JSONParser.parse(unknown.stderr)["error"]?["code"] == -32601)
        let badParams = try await AgentProcess.run(["call", "ping", "5"])
        #expect(badParams.status == 1)
        #expect(try JSONParser.parse(badParams.stderr)["error"]?["code"] == -32600)
    }

    @Test func interruptingCallCancelsTheRequest() async throws {
        let call = try AgentProcess(["call", "debug.sleep", #"{"seconds":60}"#])
        try await call.waitForLog("progress [begin")
        call.signal(SIGINT)
        #expect(try await call.waitForExit() == 130)
        #expect(call.stderr.contains("\"code\": -32800"))
    }
}
