import Testing
@testable import JSONRPC

@Suite struct IncomingMessageTests {
    private func classify(_ text: String) throws -> IncomingMessage { IncomingMessage(try JSONParser.parse(text)) }

    @Test func classifiesRequestsAndNotifications() throws {
        #expect(try classify(#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":1}}"#) == .request(id: RequestID(1), method: "m", params: ["a": 1]))
        #expect(try classify(#"{"jsonrpc":"2.0","id":"x","method":"m","params":[1]}"#) == .request(id: .string("x"), method: "m", params: [1]))
        #expect(try classify(#"{"jsonrpc":"2.0","id":null,"method":"m"}"#) == .request(id: nil, method: "m", params: nil))
        #expect(try classify(#"{"jsonrpc":"2.0","method":"m"}"#) == .notification(method: "m", params: nil))
    }

    @Test(arguments: [
        (#"{"id":1,"method":"m"}"#, true, "missing 'jsonrpc'"),
        (#"{"jsonrpc":"1.0","id":1,"method":"m"}"#, true, "exactly \"2.0\""),
        (#"{"jsonrpc":2.0,"id":1,"method":"m"}"#, true, "exactly \"2.0\""),
        (#"{"jsonrpc":"2.0","id":1}"#, true, "missing 'method'"),
        (#"{"jsonrpc":"2.0","id":1,"method":5}"#, true, "'method' must be a string"),
        (#"{"jsonrpc":"2.0","id":{},"method":"m"}"#, false, "'id' must be a string, a number or null"),
        (#"{"jsonrpc":"2.0","id":[1],"method":"m"}"#, false, "'id' must be"),
        (#"{"jsonrpc":"2.0","id":true,"method":"m"}"#, false, "'id' must be"),
        (#"{"jsonrpc":"2.0","id":1,"method":"m","params":"x"}"#, true, "'params' must be an object or an array"),
        (#"{"jsonrpc":"2.0","id":1,"method":"m","params":null}"#, true, "'params' must be"),
        ("42", false, "expected a request object, got a number"),
        (#""text""#, false, "got a string"),
    ])
    func rejectsInvalidRequestsWithTheReason(text: String, keepsID: Bool, reason: String) throws {
        guard case .invalid(let id, let error) = try classify(text) else {
            Issue.record("expected invalid for \(text)")
            return
        }
        #expect(error.code == .invalidRequest)
        #expect(error.message.contains(reason))
        #expect((id != nil) == keepsID)
    }

    @Test func outgoingMessagesSerializeInSpecOrder() {
        #expect(String(decoding: OutgoingMessage.result(id: RequestID(7), result: [:]).bytes, as: UTF8.self) ==
            #"{"jsonrpc":"2.0","id":7,"result":{}}"#)
        #expect(String(decoding: OutgoingMessage.error(id: nil, error: .requestCancelled).bytes, as: UTF8.self) ==
            #"{"jsonrpc":"2.0","id":null,"error":{"code":-32800,"message":"request cancelled"}}"#)
        #expect(String(decoding: OutgoingMessage.notification(method: "$/progress", params: ["token": "t"]).bytes, as: UTF8.self) ==
            #"{"jsonrpc":"2.0","method":"$/progress","params":{"token":"t"}}"#)
    }
}
