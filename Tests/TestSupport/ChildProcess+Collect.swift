#if canImport(Glibc)
import Glibc
#endif
import Foundation

extension ChildProcess {
    /// Closes stdin, reads stdout and stderr to their end (both at once, so neither pipe can
    /// fill up and stall it), then reaps it; kills it after `timeoutSeconds` and answers a
    /// nil status then.
    public func collectOutput(timeoutSeconds: Double) -> (status: Int32?, stdout: [UInt8], stderr: [UInt8]) {
        let child = self
        close(child.stdinFD)
        var streams = [(fd: child.stdoutFD, data: [UInt8]()), (fd: child.stderrFD, data: [UInt8]())]
        var open = [true, true]
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var timedOut = false
        while open.contains(true) {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                child.send(SIGKILL)
                timedOut = true
                break
            }
            var polled = (0..<2).filter { open[$0] }.map { pollfd(fd: streams[$0].fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), Int32(min(remaining, 1) * 1000))
            if ready < 0 && errno != EINTR { break }
            for entry in polled where entry.revents != 0 {
                guard let index = streams.firstIndex(where: { $0.fd == entry.fd }) else { continue }
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    streams[index].data.append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    open[index] = false
                }
            }
        }
        for stream in streams { close(stream.fd) }
        let status = child.waitUntilExit()
        return (timedOut ? nil : status, streams[0].data, streams[1].data)
    }
}
