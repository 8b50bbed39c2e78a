import Agent
import Diagnostics
import Dispatch
import JSONRPC
import Synchronization

/// `cloud-agent serve`: one session on stdin/stdout, or many on a Unix socket.
enum ServeCommand {
    static func run(socketPath: String?, options: SessionOptions, providers: ProviderRegistry, logger: Logger) -> Int32 {
        SignalWatcher.ignoreBrokenPipes()
        let methods = AgentMethods.makeTable(providers: providers)
        if let socketPath {
            return serveSocket(path: socketPath, methods: methods, options: options, logger: logger)
        }
        return serveStdio(methods: methods, options: options, logger: logger)
    }

    private static func serveStdio(methods: MethodTable, options: SessionOptions, logger: Logger) -> Int32 {
        let finished = DispatchSemaphore(value: 0)
        let status = Mutex<Int32>(0)
        let session = Session(number: 0, input: 0, output: 1, ownsDescriptors: false, methods: methods,
                              options: options, logger: logger.child("stdio")) { end in
            logger.debug("session ended: \(end)")
            status.withLock { $0 = end.exitStatus }
            finished.signal()
        }
        let signals = SignalWatcher { number in
            logger.info("received signal \(number), shutting down")
            session.end(.stopped)
        }
        session.start()
        finished.wait()
        withExtendedLifetime(signals) {}
        return status.withLock { $0 }
    }

    private static func serveSocket(path: String, methods: MethodTable, options: SessionOptions, logger: Logger) -> Int32 {
        // Signals are watched before the socket exists, so a signal sent as soon as the socket
        // answers is never lost.
        let stopped = DispatchSemaphore(value: 0)
        let signals = SignalWatcher { number in
            logger.info("received signal \(number), shutting down")
            stopped.signal()
        }
        defer { withExtendedLifetime(signals) {} }
        let server = UnixSocketServer(path: path, logger: logger.child("socket"))
        do {
            try server.listen()
        } catch {
            logger.error("cannot serve on \(path): \(error)")
            return 1
        }
        let registry = SessionRegistry()
        server.startAccepting { fd, peer in
            let number = registry.nextNumber()
            let session = Session(number: number, input: fd, output: fd, ownsDescriptors: true, methods: methods,
                                  options: options, logger: logger.child("session \(number)")) { end in
                logger.info("session \(number) ended: \(end)")
                registry.remove(number)
            }
            logger.info("session \(number) opened by pid \(peer.pid) (uid \(peer.uid))")
            registry.add(session)
            session.start()
        }
        stopped.wait()
        server.stop()
        registry.endAll()
        return 0
    }
}

/// The open sessions of a socket server, so they can all be ended on shutdown.
final class SessionRegistry: Sendable {
    private struct State {
        var sessions: [Int: Session] = [:]
        var next = 1
        var emptied: DispatchSemaphore?
    }

    private let state = Mutex(State())

    func nextNumber() -> Int {
        state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
    }

    func add(_ session: Session) {
        state.withLock { $0.sessions[session.number] = session }
    }

    func remove(_ number: Int) {
        let waiter = state.withLock { state -> DispatchSemaphore? in
            state.sessions[number] = nil
            return state.sessions.isEmpty ? state.emptied : nil
        }
        waiter?.signal()
    }

    /// Ends every session and waits until each has flushed and closed.
    func endAll() {
        let (sessions, waiter) = state.withLock { state -> ([Session], DispatchSemaphore?) in
            guard !state.sessions.isEmpty else { return ([], nil) }
            let waiter = DispatchSemaphore(value: 0)
            state.emptied = waiter
            return (Array(state.sessions.values), waiter)
        }
        for session in sessions { session.end(.stopped) }
        waiter?.wait()
    }
}
