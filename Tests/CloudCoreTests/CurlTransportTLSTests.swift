#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport
@testable import CloudCore

/// https is verified: a loopback TLS server with a self-signed certificate (made here with
/// `openssl`, served by Python's `ssl`) is refused as a connection error naming the
/// certificate, never answered.
@Suite struct CurlTransportTLSTests {
    static let server = """
        import http.server, ssl, sys
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
            def log_message(self, *a): pass
        httpd = http.server.HTTPServer(("127.0.0.1", 0), H)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        print(httpd.server_address[1], flush=True)
        httpd.serve_forever()
        """

    @Test func aSelfSignedCertificateIsRefused() async throws {
        let directory = NSTemporaryDirectory() + "tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ProcessInfo.processInfo.environment
        let made = try ChildProcess.spawn(["/usr/bin/env", "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                                           "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "\(directory)/key.pem", "-out", "\(directory)/cert.pem"],
                                          environment: environment).collectOutput(timeoutSeconds: 60)
        #expect(made.status == 0, "\(String(decoding: made.stderr, as: UTF8.self))")
        let python = try ChildProcess.spawn(["/usr/bin/env", "python3", "-c", Self.server, "\(directory)/cert.pem", "\(directory)/key.pem"], environment: environment)
        defer {
            python.send(SIGKILL)
            _ = python.waitUntilExit()
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(python.stdoutFD, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        let port = try #require(Int(String(decoding: line, as: UTF8.self)), "the TLS server did not start")
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport(requestTimeout: 10).send(HTTPRequest(method: "GET", url: URL(string: "https://127.0.0.1:\(port)/")!))
        }
        #expect(error?.kind == .connection)
        let detail = error?.detail.lowercased() ?? ""
        #expect(detail.contains("certificate") || detail.contains("ssl"), "\(detail)")
    }
}
