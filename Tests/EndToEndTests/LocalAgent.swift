#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSONRPC
import Synchronization
import Testing
import TestSupport

/// `cloud-agent serve` over stdio with its own state and config directories and the
/// providers a test of the cloud methods needs, plus one-line request helpers.
///
/// By default the built-in `local` provider is replaced by an instant one (`timeScale` 0):
/// every operation completes the moment it is asked for, so functional tests never wait.
final class LocalAgent: Sendable {
    /// The `local` provider, instant.
    static let instant: JSONValue = ["name": "local", "kind": "local", "timeScale": 0]
    /// A provider on which a cluster takes about 50 minutes: its waits stay pending.
    static let slow: JSONValue = ["name": "slow", "kind": "local", "timeScale": 1000]

    let process: AgentProcess
    /// `XDG_STATE_HOME` and `XDG_CONFIG_HOME` of this agent (pass them to another to share state).
    let home: [String: String]
    private let nextID = Mutex(1)

    var connection: LineConnection { process.connection }
    var stderr: String { process.stderr }
    /// `$XDG_STATE_HOME/cloud-agent`.
    var stateDirectory: String { "\(home["XDG_STATE_HOME"]!)/cloud-agent" }

    /// The state file of the local provider called `name` (the default location).
    func stateFile(of name: String = "local") -> String { "\(stateDirectory)/local/\(name).json" }

    /// Starts the agent and configures `providers` in order (each a `configureProvider` entry).
    init(providers: [JSONValue] = [LocalAgent.instant], arguments: [String] = ["serve"],
         home: [String: String] = AgentProcess.isolatedHome(), environment: [String: String] = [:]) async throws {
        self.home = home
        process = try AgentProcess(arguments, environment: home.merging(environment) { _, new in new })
        for provider in providers {
            let configured = try await call("configureProvider", provider)
            try #require(configured["result"] != nil, "configureProvider \(provider) failed: \(configured)")
        }
    }

    /// A fresh request id (ids from 1 up; tests that pick their own use 100 000 and above).
    func makeID() -> Int {
        nextID.withLock { id in
            defer { id += 1 }
            return id
        }
    }

    /// Sends a request and returns its id without waiting.
    @discardableResult
    func send(_ method: String, _ params: JSONValue = [:]) -> Int {
        let id = makeID()
        connection.request(id, method, params)
        return id
    }

    /// Sends a request and collects its `$/progress` values until its response.
    func progressAndResponse(_ method: String, _ params: JSONValue) async throws -> (progress: [JSONValue], response: JSONValue) {
        let id = send(method, params)
        var progress: [JSONValue] = []
        while true {
            let message = try await connection.first { $0["id"] == .int(id) || $0[path: "params", "token"] == .int(id) }
            if message["method"] == nil { return (progress, message) }
            progress.append(message[path: "params", "value"] ?? .null)
        }
    }

    /// Sends a request and waits for its whole response message.
    func call(_ method: String, _ params: JSONValue = [:], timeout: Double = LineConnection.defaultTimeout) async throws -> JSONValue {
        try await connection.response(send(method, params), timeout: timeout)
    }

    /// The result of a request that must succeed.
    func result(_ method: String, _ params: JSONValue = [:], timeout: Double = LineConnection.defaultTimeout,
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let response = try await call(method, params, timeout: timeout)
        return try #require(response["result"], "\(method) \(JSONSerializer.string(params)) failed: \(JSONSerializer.string(response))",
                            sourceLocation: sourceLocation)
    }

    /// The error of a request that must fail with `code`; returns the error object.
    @discardableResult
    func failure(_ method: String, _ params: JSONValue = [:], code: Int, param: String? = nil,
                 timeout: Double = LineConnection.defaultTimeout,
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let response = try await call(method, params, timeout: timeout)
        let error = try #require(response["error"], "\(method) \(JSONSerializer.string(params)) should fail with \(code), got \(JSONSerializer.string(response))",
                                 sourceLocation: sourceLocation)
        #expect(error["code"] == .int(code), "\(method): \(JSONSerializer.string(error))", sourceLocation: sourceLocation)
        if let param {
            #expect(error["data"]?["param"] == .string(param), "\(method): \(JSONSerializer.string(error))", sourceLocation: sourceLocation)
        }
        #expect((error["message"]?.stringValue ?? "").count > 10, "\(method): the error has a message for people",
                sourceLocation: sourceLocation)
        return error
    }

    /// Ends the agent the polite way (end of input) and waits for it to exit.
    func stop() async throws {
        connection.closeWrite()
        #expect(try await process.waitForExit() == 0)
    }
}

/// Error codes of the cloud methods, as documented.
enum Code {
    static let invalidParams = -32602
    static let notFound = -32002
    static let conflict = -32003
    static let timeout = -32007
    static let unsupportedOperation = -32008
    static let cancelled = -32800
}

/// File helpers for the tests that look at what the agent wrote.
enum Files {
    /// The permission bits of `path`, or nil if it does not exist.
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A new empty directory for a test's own files.
    static func temporaryDirectory() throws -> String {
        let path = "\(NSTemporaryDirectory())/cloud-agent-tests/\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The first executable called `name` on `$PATH`.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension Array where Element == JSONValue {
    /// The `name` member of each element.
    var names: [String] { compactMap { $0["name"]?.stringValue } }
}
