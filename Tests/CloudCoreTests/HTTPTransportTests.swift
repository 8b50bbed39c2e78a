import Foundation
import Synchronization
import Testing
import TestSupport
@testable import CloudCore

@Suite struct HTTPTransportTests {
    @Test func theCurlTransportSendsAndReceivesOverLoopback() async throws {
        let server = try LoopbackHTTPServer { request in
            HTTPResponse(status: request.url.path == "/missing" ? 404 : 200,
                         headers: ["Content-Type": "application/json", "X-Echo-Method": request.method],
                         body: Array("{\"got\":\(request.body.count)}".utf8))
        }
        let transport = CurlTransport(requestTimeout: 10)
        let response = try await transport.send(HTTPRequest(
            method: "POST", url: server.baseURL.appendingPathComponent("clusters"),
            headers: [("Content-Type", "application/json"), ("X-Amz-Date", "20261128T000000Z")], body: Array("{\"a\":1}".utf8)))
        #expect(response.status == 200)
        #expect(response.header("X-ECHO-METHOD") == "POST")
        #expect(response.body == Array("{\"got\":7}".utf8))
        let received = try #require(server.receivedRequests.first)
        #expect(received.url.path == "/clusters")
        #expect(received.header("x-amz-date") == "20261128T000000Z")
        #expect(received.body == Array("{\"a\":1}".utf8))
        #expect(try await transport.send(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("missing"))).status == 404)
    }

    @Test func aBodylessPostSaysSoAndNoContentTypeIsMadeUp() async throws {
        let server = try LoopbackHTTPServer { _ in HTTPResponse(status: 202, headers: ["Location": "/operations/1", "Retry-After": "2"]) }
        let transport = CurlTransport(requestTimeout: 10)
        let response = try await transport.send(HTTPRequest(method: "POST", url: server.baseURL.appendingPathComponent("start")))
        #expect(response.status == 202 && response.header("location") == "/operations/1" && response.header("retry-after") == "2")
        let received = try #require(server.receivedRequests.first)
        #expect(received.method == "POST" && received.body.isEmpty)
        #expect(received.header("Content-Length") == "0", "ARM refuses a POST without a length")
        #expect(received.header("Content-Type") == nil && received.header("Expect") == nil)
        // A DELETE and a PUT keep their methods; the PUT's own content type is sent as given.
        _ = try await transport.send(HTTPRequest(method: "DELETE", url: server.baseURL.appendingPathComponent("vm")))
        _ = try await transport.send(HTTPRequest(method: "PUT", url: server.baseURL.appendingPathComponent("vm"),
                                                 headers: [("Content-Type", "application/json; charset=utf-8")], body: Array("{}".utf8)))
        let later = server.receivedRequests.dropFirst().map { "\($0.method) \($0.header("Content-Type") ?? "-") \($0.body.count)" }
        #expect(later == ["DELETE - 0", "PUT application/json; charset=utf-8 2"])
    }

    @Test func aCancelledRequestEndsAtOnceWithCancellation() async throws {
        let server = try LoopbackHTTPServer { _ in
            Thread.sleep(forTimeInterval: 5)  // Longer than the test waits: only cancellation ends the call.
            return HTTPResponse(status: 200)
        }
        let task = Task { try await CurlTransport(requestTimeout: 60).send(HTTPRequest(method: "GET", url: server.baseURL)) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func aServerThatDoesNotAnswerInTimeIsATimeout() async throws {
        let server = try LoopbackHTTPServer { _ in
            Thread.sleep(forTimeInterval: 5)
            return HTTPResponse(status: 200)
        }
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport(requestTimeout: 0.5).send(HTTPRequest(method: "GET", url: server.baseURL))
        }
        #expect(error?.kind == .timedOut && error?.isRetryable == true)
    }

    @Test func manyRequestsAtOnceAllGetTheirOwnAnswers() async throws {
        let server = try LoopbackHTTPServer { request in HTTPResponse(status: 200, body: Array(request.url.path.utf8)) }
        let transport = CurlTransport(requestTimeout: 30)
        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let response = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("r\(index)")))
                    return (index, String(decoding: response.body, as: UTF8.self))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(bodies.count == 40 && bodies.allSatisfy { $0.value == "/r\($0.key)" })
    }

    @Test func responseHeadersAreTheLastResponsesWithRepeatsJoined() {
        let headers = Exchange.headers(from: ["Set-Cookie: a=1\r\n", "set-cookie: b=2\r\n", "X-Ms-Request-Id:  abc \r\n", "\r\n", "bogus\r\n"])
        #expect(headers == ["set-cookie": "a=1, b=2", "x-ms-request-id": "abc"])
    }

    @Test func aClosedPortIsAConnectionError() async throws {
        let url = try {
            let server = try LoopbackHTTPServer { _ in HTTPResponse(status: 200) }
            return server.baseURL
        }()
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport(requestTimeout: 5).send(HTTPRequest(method: "GET", url: url))
        }
        #expect(error?.kind == .connection)
        #expect(error?.isRetryable == true)
    }

    @Test func plainHTTPGoesOnlyToLoopback() async throws {
        #expect(EndpointPolicy.isLoopback("127.0.0.1") && EndpointPolicy.isLoopback("localhost") && EndpointPolicy.isLoopback("[::1]"))
        #expect(!EndpointPolicy.isLoopback("10.0.0.1") && !EndpointPolicy.isLoopback("127.example.com"))
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().send(HTTPRequest(method: "GET", url: URL(string: "http://eks.us-east-1.amazonaws.com/clusters")!))
        }
        #expect(error?.kind == .refused)
        #expect(throws: HTTPTransportError.self) { try EndpointPolicy.check(URL(string: "ftp://127.0.0.1/")!) }
        try EndpointPolicy.check(URL(string: "https://eks.us-east-1.amazonaws.com/")!)
    }
}

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, base: .seconds(1), maximumDelay: .seconds(5))

    @Test func retriesWithFullJitterUnderACap() {
        #expect(policy.decide(attempt: 1, retryable: true, random: { 0.5 }) == .retry(after: .milliseconds(500)))
        #expect(policy.decide(attempt: 2, retryable: true, random: { 0.5 }) == .retry(after: .seconds(1)))
        #expect(policy.decide(attempt: 3, retryable: true, random: { 0.999_999 }).delaySeconds! <= 4)
        #expect(RetryPolicy(maxAttempts: 10, maximumDelay: .seconds(5)).decide(attempt: 9, retryable: true, random: { 0.999_999 }).delaySeconds! <= 5)
        #expect(policy.decide(attempt: 4, retryable: true) == .giveUp)
        #expect(policy.decide(attempt: 1, retryable: false) == .giveUp)
    }

    @Test func aServersRetryAfterIsHonoured() {
        #expect(policy.decide(attempt: 1, retryable: true, retryAfter: 3, random: { 0 }) == .retry(after: .seconds(3)))
        #expect(RetryPolicy.retryAfter(HTTPResponse(status: 429, headers: ["Retry-After": " 7 "])) == 7)
        #expect(RetryPolicy.isRetryable(status: 503) && RetryPolicy.isRetryable(status: 429))
        #expect(!RetryPolicy.isRetryable(status: 400) && !RetryPolicy.isRetryable(status: 501))
    }
}

@Suite struct ExpiringValueTests {
    private final class Counter: Sendable {
        let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let cache = ExpiringValue<String>(refreshMargin: .seconds(60))
        let counter = Counter()
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await cache.value {
                        try await Task.sleep(for: .milliseconds(50))
                        return ("token-\(counter.next())", .seconds(3600))
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(values) == ["token-1"])
        #expect(await cache.refreshCount == 1)
    }

    @Test func aValueIsRefreshedBeforeItExpiresAndAfterInvalidation() async throws {
        let cache = ExpiringValue<Int>(refreshMargin: .seconds(60))
        let counter = Counter()
        // Valid for 30 s, within the 60 s margin: every call refreshes.
        #expect(try await cache.value { (counter.next(), .seconds(30)) } == 1)
        #expect(try await cache.value { (counter.next(), .seconds(3600)) } == 2)
        #expect(try await cache.value { (counter.next(), .seconds(3600)) } == 2)
        await cache.invalidate()
        #expect(try await cache.value { (counter.next(), nil) } == 3)
    }

    @Test func aFailedRefreshReachesEveryCallerAndTheNextCallTriesAgain() async throws {
        let cache = ExpiringValue<Int>()
        await #expect(throws: CloudProviderError.self) {
            try await cache.value { throw CloudProviderError.unauthenticated(reason: "no credentials") }
        }
        #expect(try await cache.value { (42, nil) } == 42)
    }
}

extension RetryPolicy.Decision {
    var delaySeconds: Double? {
        if case .retry(let after) = self { return after.seconds }
        return nil
    }
}
