#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Diagnostics
import JSONRPC
import Testing
import TestSupport

/// A private temporary directory for one test's socket, removed afterwards.
final class TemporaryDirectory: Sendable {
    let path: String

    init(mode: mode_t = 0o700) {
        var template = Array("/tmp/cloud-agent-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        chmod(path, mode)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The socket path tests use inside this directory.
    var socketPath: String { path + "/agent.sock" }
}

/// A socket agent serving in a directory of its own; the directory lives as long as this does.
struct ServingAgent {
    let directory: TemporaryDirectory
    var socket: String { directory.socketPath }
    let agent: AgentProcess

    static func start(environment: [String: String] = [:]) async throws -> ServingAgent {
        let directory = TemporaryDirectory()
        let agent = try await SocketTests.startServer(directory.socketPath, environment: environment)
        return ServingAgent(directory: directory, agent: agent)
    }
}

/// The socket transport through the real binary: many sessions, isolation, file hygiene.
@Suite struct SocketTests {
    /// Starts `serve --socket` and waits for its "listening" log line.
    static func startServer(_ socket: String, extra: [String] = [], environment: [String: String] = [:]) async throws -> AgentProcess {
        let agent = try AgentProcess(["serve", "--socket", socket] + extra, environment: environment)
        try await agent.waitForLog("listening on \(socket)")
        return agent
    }

    static func mode(of path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }

    @Test func createsPrivateDirectoryAndSocketAndRemovesThemOnSignal() async throws {
        let directory = TemporaryDirectory()
        let socket = directory.path + "/nested/run/agent.sock"
        let agent = try await Self.startServer(socket)
        #expect(Self.mode(of: socket) == 0o600)
        #expect(Self.mode(of: directory.path + "/nested/run") == 0o700)
        let client = try LineConnection.connect(socketPath: socket)
        #expect(try await client.ping(id: 1)["result"] == .object([:]))
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
        #expect(Self.mode(of: socket) == nil, "socket file removed on exit")
    }

    @Test func defaultPathIsUnderXDGRuntimeDir() async throws {
        let runtime = TemporaryDirectory()
        let agent = try AgentProcess(["serve", "--socket"], environment: ["XDG_RUNTIME_DIR": runtime.path])
        let expected = runtime.path + "/cloud-agent/agent.sock"
        try await agent.waitForLog("listening on \(expected)")
        let result = try await AgentProcess.run(["call", "--socket", "--compact", "ping"], environment: ["XDG_RUNTIME_DIR": runtime.path])
        #expect(result.status == 0)
        #expect(result.stdout == "{}\n")
        agent.signal(SIGINT)
        #expect(try await agent.waitForExit() == 0)
    }

    @Test func refusesToStartWhenALiveAgentServesThePathAndReplacesAStaleOne() async throws {
        let directory = TemporaryDirectory()
        let socket = directory.socketPath
        let first = try await Self.startServer(socket)
        let second = try await AgentProcess.run(["serve", "--socket", socket])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another agent is already serving on \(socket)"))
        // The refused agent did not remove the live socket.
        #expect(try await LineConnection.connect(socketPath: socket).ping(id: 1)["result"] == .object([:]))
        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        #expect(Self.mode(of: socket) != nil, "a killed agent leaves a stale socket file")
        let third = try await Self.startServer(socket)
        #expect(third.stderr.contains("removing stale socket"))
        #expect(try await LineConnection.connect(socketPath: socket).ping(id: 2)["result"] == .object([:]))
        third.signal(SIGTERM)
        #expect(try await third.waitForExit() == 0)
    }

    @Test func ofTwoAgentsStartingAtOnceExactlyOneServes() async throws {
        let directory = TemporaryDirectory()
        let socket = directory.socketPath
        let agents = try (0..<4).map { _ in try AgentProcess(["serve", "--socket", socket]) }
        // The losers exit at once; the winner keeps serving.
        var exited: [Int32] = []
        var winners: [AgentProcess] = []
        for agent in agents {
            let outcome = try await agent.waitForLog(anyOf: ["another agent is already serving", "listening on \(socket)"])
            if outcome.hasPrefix("another") {
                exited.append(try await agent.waitForExit())
            } else {
                winners.append(agent)
            }
        }
        #expect(exited == [1, 1, 1])
        #expect(winners.count == 1)
        let winner = try #require(winners.first)
        #expect(try await LineConnection.connect(socketPath: socket).ping(id: 1)["result"] == .object([:]))
        winner.signal(SIGTERM)
        #expect(try await winner.waitForExit() == 0)
    }

    @Test func refusesToReplaceAFileThatIsNotASocket() async throws {
        let directory = TemporaryDirectory()
        let path = directory.socketPath
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8)))
        let result = try await AgentProcess.run(["serve", "--socket", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("exists and is not a socket"))
        #expect(FileManager.default.contents(atPath: path) == Data("keep me".utf8))
    }

    @Test func twoClientsAreIndependentAndAVanishedClientsWorkIsCancelled() async throws {
        let serving = try await ServingAgent.start()
        let (socket, agent) = (serving.socket, serving.agent)
        defer { withExtendedLifetime(serving) {} }
        let staying = try LineConnection.connect(socketPath: socket)
        let leaving = try LineConnection.connect(socketPath: socket)
        staying.request(1, "debug.sleep", ["seconds": 0.5, "steps": 2])
        leaving.request(1, "debug.sleep", ["seconds": 60])
        _ = try await leaving.first { $0["method"] == "$/progress" }
        leaving.close()
        try await agent.waitForLog("[cloud-agent/session 2] cancelled 1 in-flight request(s)")
        try await agent.waitForLog("session 2 ended")
        // The other session saw nothing of it: its own request completes normally.
        let result = try await staying.response(1)
        #expect(result["result"] == ["slept": 0.5])
        #expect(staying.heldMessages.allSatisfy { $0["params"]?["token"] == 1 })
        #expect(try await staying.ping(id: 2)["result"] == .object([:]))
        #expect(!agent.stderr.contains("did not finish"))
    }

    @Test func aStalledReaderDoesNotAffectOtherClients() async throws {
        let serving = try await ServingAgent.start(environment: ["CLOUD_AGENT_LOG": "info"])
        let (socket, agent) = (serving.socket, serving.agent)
        defer { withExtendedLifetime(serving) {} }
        let stalled = try LineConnection.connect(socketPath: socket, reading: false)
        // Ask for far more output than socket buffers hold, and never read it.
        let blob = String(repeating: "z", count: 64 << 10)
        let request = #"{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"blob":"\#(blob)"}}"# + "\n"
        let flood = Array(String(repeating: request, count: 400).utf8)
        DetachedThread.start { stalled.sendRaw(flood) }
        let healthy = try LineConnection.connect(socketPath: socket)
        for id in 0..<50 {
            #expect(try await healthy.ping(id: id, timeout: 15)["result"] == .object([:]))
        }
        stalled.close()
        try await agent.waitForLog("session 1 ended")
        #expect(try await healthy.ping(id: 99, timeout: 15)["result"] == .object([:]))
    }

    @Test func exitClosesOnlyThatClientsSession() async throws {
        let serving = try await ServingAgent.start()
        let (socket, agent) = (serving.socket, serving.agent)
        defer { withExtendedLifetime(serving) {} }
        let first = try LineConnection.connect(socketPath: socket)
        let second = try LineConnection.connect(socketPath: socket)
        first.request(1, "shutdown")
        _ = try await first.response(1)
        first.notify("exit")
        await #expect(throws: LineInbox.Failure.endOfStream) { _ = try await first.next() }
        #expect(try await second.ping(id: 1)["result"] == .object([:]))
        #expect(agent.process.isRunning)
        agent.signal(SIGTERM)
        #expect(try await agent.waitForExit() == 0)
    }

    @Test func signalAnswersInFlightRequestsOfEverySessionBeforeExiting() async throws {
        let serving = try await ServingAgent.start()
        let (socket, agent) = (serving.socket, serving.agent)
        defer { withExtendedLifetime(serving) {} }
        let clients = try (0..<3).map { _ in try LineConnection.connect(socketPath: socket) }
        for client in clients {
            client.request(7, "debug.sleep", ["seconds": 60])
            _ = try await client.first { $0["method"] == "$/progress" }
        }
        agent.signal(SIGTERM)
        for client in clients {
            #expect(try await client.response(7)["error"]?["code"] == -32800)
        }
        #expect(try await agent.waitForExit() == 0)
        #expect(Self.mode(of: socket) == nil)
    }

    @Test(.enabled(if: getuid() == 0, "impersonating another uid needs root; as non-root the 0700 directory already keeps others out"))
    func connectionsFromAnotherUserAreRefused() async throws {
        // A world-traversable directory and socket, so only the peer check stands in the way.
        let directory = TemporaryDirectory(mode: 0o755)
        let socket = directory.socketPath
        let agent = try await Self.startServer(socket)
        chmod(socket, 0o666)
        // The other user needs a binary it can read: copy ours next to the socket.
        let binary = directory.path + "/cloud-agent"
        // Copied under the spawn gate: a child spawned meanwhile would inherit the open file and
        // make executing it fail with "text file busy".
        try SpawnGate.run { () throws in
            try FileManager.default.copyItem(atPath: AgentProcess.binaryPath, toPath: binary)
            chmod(binary, 0o755)
        }
        let outsider = try await AgentProcess.run(
            ["call", "--socket", socket, "ping"],
            environment: ["CLOUD_AGENT_BIN": binary],
            prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
            executableOverride: binary)
        #expect(outsider.status == 1)
        #expect(outsider.stdout.isEmpty)
        try await agent.waitForLog("refused connection from uid 65534")
        // The owner is still served.
        #expect(try await LineConnection.connect(socketPath: socket).ping(id: 1)["result"] == .object([:]))
    }

    @Test func callAgainstTheSocketStreamsProgressAndCancelsOnInterrupt() async throws {
        let serving = try await ServingAgent.start()
        let (socket, agent) = (serving.socket, serving.agent)
        defer { withExtendedLifetime(serving) {} }
        let done = try await AgentProcess.run(["call", "--socket", socket, "debug.sleep", #"{"seconds":0.2,"steps":2}"#])
        #expect(done.status == 0)
        #expect(try JSONParser.parse(done.stdout) == ["slept": 0.2])
        #expect(done.stderr.contains("progress [begin 0%] sleeping for 0.2 s"))
        #expect(done.stderr.contains("progress [end] done"))
        let interrupted = try AgentProcess(["call", "--socket", socket, "debug.sleep", #"{"seconds":60}"#])
        try await agent.waitForLog("session 2 opened")
        try await interrupted.waitForLog("progress [begin")
        interrupted.signal(SIGINT)
        #expect(try await interrupted.waitForExit() == 130)
        #expect(interrupted.stderr.contains("-32800"))
    }
}
