#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import Diagnostics
import Foundation
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 for tests: the cloud fakes and the transport tests
/// talk to it over real TCP.
///
/// Each connection is served on its own thread; requests are read with `Content-Length`
/// bodies (keep-alive honoured) and answered by `handler`. It stops when released.
public final class LoopbackHTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    /// The base URL, `http://127.0.0.1:PORT`.
    public let baseURL: URL
    private let listener: Int32
    private let stopped = Flag()
    private let requests = RequestLog()

    private final class Flag: Sendable {
        let value = Mutex(false)
    }

    private final class RequestLog: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
    }

    public init(handler: @escaping Handler) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPTransportError(.connection, "socket: \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw HTTPTransportError(.connection, "bind/listen: \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        baseURL = URL(string: "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))")!
        let stopped = self.stopped
        let requests = self.requests
        // The accept thread owns the listener and closes it when it stops, so its number is
        // never reused by another test's descriptor while an accept may still run on it.
        DetachedThread.start {
            defer { close(fd) }
            while !stopped.value.withLock({ $0 }) {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                DetachedThread.start { Self.serve(client, handler: handler, log: requests) }
            }
        }
    }

    deinit {
        stopped.value.withLock { $0 = true }
        // Wakes the accept thread, which then closes the listener.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    /// Every request received so far, in order.
    public var receivedRequests: [HTTPRequest] { requests.requests.withLock { $0 } }

    private static func serve(_ fd: Int32, handler: Handler, log: RequestLog) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            // Read until the end of the head, then the body.
            var headEnd: Int?
            while headEnd == nil {
                if let range = find([13, 10, 13, 10], in: buffer) { headEnd = range; break }
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            guard requestLine.count >= 2 else { return }
            var headers: [(name: String, value: String)] = []
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            func fill(to size: Int) -> Bool {
                while buffer.count < size {
                    let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    if count <= 0 { return false }
                    buffer.append(contentsOf: chunk[0..<count])
                }
                return true
            }
            buffer.removeFirst(headEnd! + 4)
            var body: [UInt8] = []
            if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked") }) {
                // Chunks: a hex size line, the data, CRLF; a zero size ends the body.
                while true {
                    var lineEnd = find([13, 10], in: buffer)
                    while lineEnd == nil {
                        guard fill(to: buffer.count + 1) else { return }
                        lineEnd = find([13, 10], in: buffer)
                    }
                    let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
                    guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return }
                    guard fill(to: lineEnd! + 2 + size + 2) else { return }
                    body.append(contentsOf: buffer[(lineEnd! + 2)..<(lineEnd! + 2 + size)])
                    buffer.removeFirst(lineEnd! + 2 + size + 2)
                    if size == 0 { break }
                }
            } else {
                let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
                guard fill(to: length) else { return }
                body = Array(buffer[0..<length])
                buffer.removeFirst(length)
            }
            let host = headers.first { $0.name.lowercased() == "host" }?.value ?? "127.0.0.1"
            let request = HTTPRequest(method: String(requestLine[0]), url: URL(string: "http://\(host)\(requestLine[1])")!,
                                      headers: headers, body: body)
            log.requests.withLock { $0.append(request) }
            let response = handler(request)
            var text = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
            for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) where name != "content-length" {
                text += "\(name): \(value)\r\n"
            }
            text += "content-length: \(response.body.count)\r\n\r\n"
            guard FileDescriptorIO.writeAll(Array(text.utf8) + response.body, to: fd) else { return }
            if headers.contains(where: { $0.name.lowercased() == "connection" && $0.value.lowercased() == "close" }) { return }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
