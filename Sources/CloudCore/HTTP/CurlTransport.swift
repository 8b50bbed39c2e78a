import CurlShim
import Dispatch
import Foundation
import Synchronization

/// The production `HTTPTransport`: the system's libcurl (the library URLSession is built on on
/// Linux), loaded on the first request, so an agent that makes none never pays for it.
///
/// Each exchange runs to its end on a thread of its own, off the cooperative pool; a few idle
/// handles keep their connections for the next exchange to the same host. https is verified
/// by the system trust store; plain http goes only to loopback addresses and the instance
/// metadata services (`EndpointPolicy`). No cookies, no cache, no redirects followed; proxies
/// come from the usual variables (`https_proxy`, `no_proxy`, …) as libcurl reads them. A
/// cancelled exchange ends within about a second (libcurl asks at least that often).
public final class CurlTransport: HTTPTransport {
    private let timeoutMilliseconds: Int
    private let connectTimeoutMilliseconds: Int

    /// - Parameter requestTimeout: the longest a whole exchange may take, in seconds.
    public init(requestTimeout: TimeInterval = 60) {
        timeoutMilliseconds = max(1, Int(requestTimeout * 1000))
        connectTimeoutMilliseconds = min(timeoutMilliseconds, 10_000)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try EndpointPolicy.check(request.url)
        let exchange = Exchange()
        let (timeout, connectTimeout) = (timeoutMilliseconds, connectTimeoutMilliseconds)
        let result: Result<HTTPResponse, any Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(returning: Result { try exchange.perform(request, timeout: timeout, connectTimeout: connectTimeout) })
                }
            }
        } onCancel: {
            exchange.cancelled.store(true, ordering: .relaxed)
        }
        return try result.get()
    }
}

/// One exchange's response as libcurl hands it over, and whether it was cancelled.
final class Exchange: Sendable {
    let cancelled = Atomic<Bool>(false)
    private let received = Mutex<(body: [UInt8], headerLines: [String])>(([], []))

    func perform(_ request: HTTPRequest, timeout: Int, connectTimeout: Int) throws -> HTTPResponse {
        var lines = request.headers.map { "\($0.name): \($0.value)" }
        // libcurl would add a form content type to any body; send only the caller's.
        if request.header("Content-Type") == nil { lines.append("Content-Type:") }
        let sendsBody = !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method.uppercased())
        let body = request.body.isEmpty ? [0] : request.body  // a valid pointer even for an empty body
        var outcome = CurlShimResult()
        let context = Unmanaged.passUnretained(self).toOpaque()
        withCStrings(lines) { headers in
            request.method.withCString { method in
                request.url.absoluteString.withCString { url in
                    body.withUnsafeBufferPointer { bytes in
                        var shim = CurlShimRequest(
                            method: method, url: url, headers: headers.baseAddress, header_count: lines.count,
                            body: sendsBody ? bytes.baseAddress : nil, body_length: request.body.count,
                            timeout_ms: timeout, connect_timeout_ms: connectTimeout, context: context,
                            on_body: { context, bytes, length in
                                Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue().append(body: bytes, length)
                            },
                            on_header: { context, bytes, length in
                                Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue().append(header: bytes, length)
                            },
                            should_abort: { context in
                                Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue().cancelled.load(ordering: .relaxed) ? 1 : 0
                            })
                        curl_shim_perform(&shim, &outcome)
                    }
                }
            }
        }
        let message = withUnsafeBytes(of: outcome.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let target = "\(request.method) \(request.url.host ?? "?")"
        switch Int(outcome.code) {
        case Int(CURL_SHIM_OK):
            return received.withLock { HTTPResponse(status: Int(outcome.status), headers: Self.headers(from: $0.headerLines), body: $0.body) }
        case Int(CURL_SHIM_ABORTED_BY_CALLBACK) where cancelled.load(ordering: .relaxed):
            throw CancellationError()
        case Int(CURL_SHIM_OPERATION_TIMEDOUT):
            throw HTTPTransportError(.timedOut, "\(target): \(message)")
        default:
            throw HTTPTransportError(.connection, "\(target): \(message)")
        }
    }

    private func append(body bytes: UnsafePointer<CChar>?, _ length: Int) -> Int {
        guard let bytes else { return length }
        bytes.withMemoryRebound(to: UInt8.self, capacity: length) { start in
            received.withLock { $0.body.append(contentsOf: UnsafeBufferPointer(start: start, count: length)) }
        }
        return length
    }

    private func append(header bytes: UnsafePointer<CChar>?, _ length: Int) -> Int {
        guard let bytes else { return length }
        let line = bytes.withMemoryRebound(to: UInt8.self, capacity: length) { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) }
        received.withLock { state in
            // A new status line starts a new response (after a 100 Continue or a proxy's CONNECT).
            if line.hasPrefix("HTTP/") { state.headerLines = [] } else { state.headerLines.append(line) }
        }
        return length
    }

    /// The header fields of the last response, names lowercased; repeated fields joined with ", ".
    static func headers(from lines: [String]) -> [String: String] {
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty else { continue }
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        return headers
    }
}

/// Runs `body` with `strings` as an array of C strings (valid only during the call).
private func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer(body)
}
