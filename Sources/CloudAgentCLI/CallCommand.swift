#if canImport(Glibc)
import Glibc
#endif
import Agent
import Diagnostics
import Dispatch
import Foundation
import JSONRPC
import Synchronization

/// `cloud-agent call`: one request for shell scripts, in this process or against `--socket`.
///
/// The result goes to stdout, progress and errors to stderr; Ctrl-C cancels the request.
enum CallCommand {
    struct Options {
        var method: String
        var params: JSONValue?
        var socketPath: String?
        var quiet: Bool
        var compact: Bool
    }

    static let requestID = RequestID(1)

    /// - Parameter providers: the providers to run the request on in this process; nil with `--socket`.
    static func run(_ options: Options, providers: ProviderRegistry?, logger: Logger) -> Int32 {
        SignalWatcher.ignoreBrokenPipes()
        // Validate the request exactly as a session would.
        var request: [String: JSONValue] = ["jsonrpc": "2.0", "id": requestID.jsonValue, "method": .string(options.method)]
        if let params = options.params { request["params"] = params }
        if case .invalid(_, let error) = IncomingMessage(.object(request)) {
            return finish(.error(id: requestID, error: error), options: options)
        }
        if let socketPath = options.socketPath {
            return runAgainstSocket(path: socketPath, request: .object(request), options: options)
        }
        return runInProcess(options, providers: providers!, logger: logger)
    }

    private static func runInProcess(_ options: Options, providers: ProviderRegistry, logger: Logger) -> Int32 {
        let methods = AgentMethods.makeTable(providers: providers)
        let progress = ProgressReporter(token: requestID.jsonValue) { _, event in
            if !options.quiet { printProgress(event.jsonValue) }
        }
        let context = RequestContext(id: requestID, method: options.method, progress: progress, logger: logger)
        let response = Mutex<OutgoingMessage?>(nil)
        let done = DispatchSemaphore(value: 0)
        let method = options.method
        let params = options.params
        let task = Task {
            let message = await methods.respond(id: requestID, method: method, params: params, context: context)
            response.withLock { $0 = message }
            done.signal()
        }
        let finishing = Finishing()
        let interruption = CallInterruption {
            if finishing.started.withLock({ $0 }) {
                writeStderr("cloud-agent: interrupted; the next agent that looks at the resource takes up what is left\n")
                exit(130)
            }
            task.cancel()
        }
        done.wait()
        let status = interruption.exitStatus(for: finish(response.withLock { $0! }, options: options))
        finishBackgroundWork(providers, finishing: finishing)
        return status
    }

    /// Set once the answer is out and the process stays for the providers' background work.
    private final class Finishing: Sendable {
        let started = Mutex(false)
    }

    /// This process is the agent, and it must not exit in the middle of a step the answer
    /// promised (a node group to add once the cluster is active, a cluster to delete once its
    /// node groups are gone): it stays until they are taken, saying so on stderr.
    private static func finishBackgroundWork(_ providers: ProviderRegistry, finishing: Finishing) {
        let work = runBlocking { await providers.backgroundWork() }
        guard !work.isEmpty else { return }
        finishing.started.withLock { $0 = true }
        writeStderr("cloud-agent: finishing before exit (Ctrl-C leaves it to the next agent that looks at the resource):\n"
                    + work.map { "  \($0)\n" }.joined())
        runBlocking { await providers.finishBackgroundWork() }
    }

    private static func runAgainstSocket(path: String, request: JSONValue, options: Options) -> Int32 {
        let fd: Int32
        do {
            fd = try UnixSocket.connect(path: path)
        } catch {
            writeStderr("cloud-agent: \(error) (is 'cloud-agent serve --socket' running?)\n")
            return 1
        }
        defer { close(fd) }
        guard writeLine(JSONSerializer.bytes(request), to: fd) else {
            writeStderr("cloud-agent: cannot send the request to \(path)\n")
            return 1
        }
        let cancel = JSONSerializer.bytes(["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": requestID.jsonValue]])
        let interruption = CallInterruption { _ = writeLine(cancel, to: fd) }
        var framer = LineFramer(maxLineBytes: Int.max / 2)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 {
                writeStderr("cloud-agent: the agent closed the connection before answering\n")
                return 1
            }
            let frames = buffer.withUnsafeBytes { framer.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            for case .line(let line) in frames {
                guard let message = try? JSONParser.parse(line) else { continue }
                if message["method"] == "$/progress", let value = message["params"]?["value"] {
                    if !options.quiet { printProgress(value) }
                    continue
                }
                guard message["id"] == requestID.jsonValue else { continue }
                let outgoing: OutgoingMessage
                if let error = message["error"] {
                    outgoing = .error(id: requestID, error: RPCError(
                        code: ErrorCode(error["code"]?.numberValue?.intValue ?? ErrorCode.internalError.rawValue),
                        message: error["message"]?.stringValue ?? "unknown error", data: error["data"]))
                } else {
                    outgoing = .result(id: requestID, result: message["result"] ?? .null)
                }
                return interruption.exitStatus(for: finish(outgoing, options: options))
            }
        }
    }

    /// Prints the result to stdout (status 0) or the error object to stderr (status 1).
    private static func finish(_ response: OutgoingMessage, options: Options) -> Int32 {
        switch response {
        case .result(_, let result):
            let text = options.compact ? JSONSerializer.string(result) : JSONSerializer.prettyString(result)
            writeStdout(text + "\n")
            return 0
        case .error(_, let error):
            writeStderr(JSONSerializer.prettyString(["error": error.jsonValue]) + "\n")
            return 1
        case .notification:
            return 1
        }
    }

    private static func printProgress(_ value: JSONValue) {
        let kind = value["kind"]?.stringValue ?? "report"
        let message = value["message"]?.stringValue ?? ""
        let percentage = value["percentage"]?.numberValue?.intValue.map { " \($0)%" } ?? ""
        writeStderr("progress [\(kind)\(percentage)] \(message)\n")
    }

    private static func writeLine(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var line = bytes
        line.append(UInt8(ascii: "\n"))
        return FileDescriptorIO.writeAll(line, to: fd)
    }
}

func writeStdout(_ text: String) { FileDescriptorIO.writeAll(Array(text.utf8), to: 1) }
func writeStderr(_ text: String) { FileDescriptorIO.writeAll(Array(text.utf8), to: 2) }
