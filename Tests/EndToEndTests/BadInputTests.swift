import Foundation
import JSONRPC
import Testing
import TestSupport

/// Malformed and hostile input, each followed by a `ping` that must still be answered.
@Suite struct BadInputTests {
    enum Expect {
        /// One error response with this code and id.
        case error(Int, id: JSONValue)
        /// A normal result for the numeric id written exactly like this.
        case result(idLiteral: String)
        /// A batch response: these error codes (nil for a result), in any order.
        case batch([Int?])
        /// No response at all.
        case nothing
    }

    struct Case: CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let expect: Expect
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ expect: Expect) {
            self.init(name, Array(text.utf8), expect)
        }

        init(_ name: String, _ bytes: [UInt8], _ expect: Expect) {
            self.name = name
            self.bytes = bytes
            self.expect = expect
        }
    }

    static let cases: [Case] = [
        Case("truncated JSON", #"{"jsonrpc":"2.0","id":1,"method":"ping""#, .error(-32700, id: .null)),
        Case("truncated in a string", #"{"jsonrpc":"2.0","id":1,"method":"pi"#, .error(-32700, id: .null)),
        Case("wrong jsonrpc version", #"{"jsonrpc":"1.0","id":2,"method":"ping"}"#, .error(-32600, id: 2)),
        Case("jsonrpc missing", #"{"id":3,"method":"ping"}"#, .error(-32600, id: 3)),
        Case("jsonrpc as a number", #"{"jsonrpc":2.0,"id":4,"method":"ping"}"#, .error(-32600, id: 4)),
        Case("id of type object", #"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, .error(-32600, id: .null)),
        Case("id of type array", #"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#, .error(-32600, id: .null)),
        Case("id of type boolean", #"{"jsonrpc":"2.0","id":true,"method":"ping"}"#, .error(-32600, id: .null)),
        Case("params a string", #"{"jsonrpc":"2.0","id":9,"method":"ping","params":"x"}"#, .error(-32600, id: 9)),
        Case("params a number", #"{"jsonrpc":"2.0","id":10,"method":"ping","params":5}"#, .error(-32600, id: 10)),
        Case("param of the wrong type", #"{"jsonrpc":"2.0","id":11,"method":"debug.sleep","params":{"seconds":"soon"}}"#, .error(-32602, id: 11)),
        Case("required param missing", #"{"jsonrpc":"2.0","id":12,"method":"debug.sleep","params":{}}"#, .error(-32602, id: 12)),
        Case("params by position", #"{"jsonrpc":"2.0","id":13,"method":"debug.sleep","params":[1]}"#, .error(-32602, id: 13)),
        Case("method a number", #"{"jsonrpc":"2.0","id":14,"method":7}"#, .error(-32600, id: 14)),
        Case("method missing", #"{"jsonrpc":"2.0","id":15}"#, .error(-32600, id: 15)),
        Case("unknown method", #"{"jsonrpc":"2.0","id":16,"method":"noSuchMethod"}"#, .error(-32601, id: 16)),
        Case("reserved rpc. method the agent does not have", #"{"jsonrpc":"2.0","id":17,"method":"rpc.describe"}"#, .error(-32601, id: 17)),
        Case("arrays nested 100k deep", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), .error(-32700, id: .null)),
        Case("objects nested 10k deep", String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000), .error(-32700, id: .null)),
        Case("20 MiB line", #"{"jsonrpc":"2.0","id":20,"method":"debug.echo","params":{"pad":""# + String(repeating: "x", count: 20 << 20) + #""}}"#, .error(-32600, id: .null)),
        Case("invalid UTF-8 in a string", [0x7B, 0x22, 0x6A, 0x73, 0x6F, 0x6E, 0x72, 0x70, 0x63, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D], .error(-32700, id: .null)),
        Case("invalid UTF-8 outside strings", [0x7B, 0xFF, 0xFE, 0x7D], .error(-32700, id: .null)),
        Case("UTF-16 surrogate encoded in UTF-8", Array(#"{"jsonrpc":"2.0","id":1,"method":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), .error(-32700, id: .null)),
        Case("NUL byte between members", Array(#"{"jsonrpc":"2.0","#.utf8) + [0] + Array(#""id":24,"method":"ping"}"#.utf8), .error(-32700, id: .null)),
        Case("NUL byte inside a string", Array(#"{"jsonrpc":"2.0","id":25,"method":"pi"#.utf8) + [0] + Array(#"ng"}"#.utf8), .error(-32700, id: .null)),
        Case("only NUL bytes", [0, 0, 0], .error(-32700, id: .null)),
        Case("empty line", "", .nothing),
        Case("only whitespace", " \t  \r", .nothing),
        Case("huge exponent id", #"{"jsonrpc":"2.0","id":1e400,"method":"ping"}"#, .result(idLiteral: "1e400")),
        Case("huge integer id", #"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}"#, .result(idLiteral: "123456789012345678901234567890")),
        Case("huge number param", #"{"jsonrpc":"2.0","id":31,"method":"debug.sleep","params":{"seconds":1e400}}"#, .error(-32602, id: 31)),
        Case("negative number param", #"{"jsonrpc":"2.0","id":32,"method":"debug.sleep","params":{"seconds":-5}}"#, .error(-32602, id: 32)),
        Case("a bare number", "42", .error(-32600, id: .null)),
        Case("a bare null", "null", .error(-32600, id: .null)),
        Case("a bare string", #""ping""#, .error(-32600, id: .null)),
        Case("empty batch", "[]", .error(-32600, id: .null)),
        Case("batch of non-objects", "[1,2,3]", .batch([-32600, -32600, -32600])),
        Case("mixed batch", #"[{"jsonrpc":"2.0","id":38,"method":"ping"},{"jsonrpc":"2.0","method":"ping"},{"bad":1}]"#, .batch([nil, -32600])),
        Case("trailing garbage", #"{"jsonrpc":"2.0","id":39,"method":"ping"} trailing"#, .error(-32700, id: .null)),
        Case("single quotes", "{'jsonrpc':'2.0','id':40,'method':'ping'}", .error(-32700, id: .null)),
        Case("byte order mark", [0xEF, 0xBB, 0xBF] + Array(#"{"jsonrpc":"2.0","id":41,"method":"ping"}"#.utf8), .error(-32700, id: .null)),
        Case("lone surrogate escape", #"{"jsonrpc":"2.0","id":42,"method":"\ud800"}"#, .error(-32700, id: .null)),
        Case("raw tab inside a string", "{\"jsonrpc\":\"2.0\",\"id\":43,\"method\":\"pi\tng\"}", .error(-32700, id: .null)),
        Case("CRLF line ending", "{\"jsonrpc\":\"2.0\",\"id\":44,\"method\":\"ping\"}\r", .result(idLiteral: "44")),
        Case("fractional id", #"{"jsonrpc":"2.0","id":45.5,"method":"ping"}"#, .result(idLiteral: "45.5")),
        Case("null id", #"{"jsonrpc":"2.0","id":null,"method":"noSuchMethod"}"#, .error(-32601, id: .null)),
        Case("notification to an unknown method", #"{"jsonrpc":"2.0","method":"noSuchMethod","params":{"x":1}}"#, .nothing),
        Case("notification with bad params", #"{"jsonrpc":"2.0","method":"debug.sleep","params":{"seconds":"x"}}"#, .nothing),
        Case("cancel with a bad id", #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":{}}}"#, .nothing),
        Case("1 MiB method name", #"{"jsonrpc":"2.0","id":50,"method":""# + String(repeating: "m", count: 1 << 20) + #""}"#, .error(-32601, id: 50)),
        Case("control characters only", [0x01, 0x02, 0x1B], .error(-32700, id: .null)),
    ]

    @Test func tableHasAtLeast25Cases() {
        #expect(Self.cases.count >= 25)
    }

    /// One agent takes the whole table in order, proving it keeps serving after each input.
    @Test func everyBadInputIsAnsweredAndTheAgentStillServes() async throws {
        let agent = try AgentProcess(["serve", "--log-level", "warning"])
        let connection = agent.connection
        for (index, testCase) in Self.cases.enumerated() {
            let pingID = 1_000_000 + index
            connection.sendRaw(testCase.bytes + [UInt8(ascii: "\n")])
            switch testCase.expect {
            case .result(let literal):
                // Ids are echoed exactly as written, even beyond Int64 and Double.
                let response = try await connection.first { $0["id"]?.numberValue?.literal == literal && $0["method"] == nil }
                #expect(response["result"] == .object([:]), "\(testCase.name)")
                #expect(try await connection.ping(id: pingID)["result"] == .object([:]), "\(testCase.name)")
            case .error(_, let id) where id != .null:
                // Answered by a request task: wait for that id, then prove the agent still serves.
                check([try await connection.response(id)], against: testCase)
                #expect(try await connection.ping(id: pingID)["result"] == .object([:]), "\(testCase.name)")
            case .batch:
                check([try await connection.first { $0.arrayValue != nil }], against: testCase)
                #expect(try await connection.ping(id: pingID)["result"] == .object([:]), "\(testCase.name)")
            case .error, .nothing:
                // Answered (or ignored) by the reader before it reads the ping that follows.
                connection.request(pingID, "ping")
                var before: [JSONValue] = []
                while true {
                    let message = try await connection.next(timeout: 30)
                    if message["id"] == .int(pingID) {
                        #expect(message["result"] == .object([:]), "ping after \(testCase.name)")
                        break
                    }
                    before.append(message)
                }
                check(before, against: testCase)
            }
        }
        #expect(connection.heldMessages.isEmpty)
        connection.closeWrite()
        // Nothing unanswered or unexpected arrives late.
        await #expect(throws: LineInbox.Failure.self) { _ = try await connection.next() }
        #expect(try await agent.waitForExit() == 0)
    }

    private func check(_ messages: [JSONValue], against testCase: Case) {
        switch testCase.expect {
        case .nothing:
            #expect(messages.isEmpty, "\(testCase.name): expected no response, got \(messages)")
        case .error(let code, let id):
            #expect(messages.count == 1, "\(testCase.name): expected one response, got \(messages.count)")
            guard let message = messages.first else { return }
            #expect(message["jsonrpc"] == "2.0", "\(testCase.name)")
            #expect(message["id"] == id, "\(testCase.name)")
            #expect(message["error"]?["code"] == .int(code), "\(testCase.name): \(message)")
            let text = message["error"]?["message"]?.stringValue ?? ""
            #expect(text.count > 10, "\(testCase.name) has a message for people")
        case .batch(let codes):
            #expect(messages.count == 1, "\(testCase.name)")
            let members = messages.first?.arrayValue ?? []
            let got = members.map { $0["error"]?["code"]?.numberValue?.intValue }
            #expect(got.sorted { ($0 ?? 0) < ($1 ?? 0) } == codes.sorted { ($0 ?? 0) < ($1 ?? 0) }, "\(testCase.name): \(members)")
        case .result:
            break
        }
    }
}
