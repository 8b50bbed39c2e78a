import Testing
@testable import JSONRPC

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5e3, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"], "b": {}} "#)
        #expect(value == .object([
            "a": .array([1, .number(JSONNumber(validatedLiteral: "-2.5e3")), true, false, .null, .string("x\"\\/\u{08}\u{0C}\n\r\té😀")]),
            "b": .object([:]),
        ]))
    }

    @Test func keepsNumbersExactlyAsWritten() throws {
        let value = try JSONParser.parse(#"[12345678901234567890123, 1e400, -0, 0.10]"#)
        #expect(JSONSerializer.string(value) == "[12345678901234567890123,1e400,-0,0.10]")
        #expect(value.arrayValue?[1].numberValue?.doubleValue == nil)
    }

    @Test(arguments: [
        ("", 0, "expected a value"),
        ("{", 1, "expected an object key string"),
        (#"{"a":1"#, 6, "inside an object"),
        (#"{"a" 1}"#, 5, "expected ':'"),
        ("[1,]", 3, "expected a value"),
        ("[1 2]", 3, "expected ',' or ']'"),
        ("01", 0, "leading zero"),
        ("1.", 0, "no digits after '.'"),
        ("1e", 0, "no digits in exponent"),
        ("-", 0, "invalid number"),
        ("tru", 0, "invalid literal"),
        ("nul", 0, "invalid literal"),
        (#""abc"#, 0, "unterminated string"),
        (#""a\x""#, 2, "invalid escape"),
        (#""\u12""#, 3, "truncated"),
        (#""\ud800""#, 1, "unpaired surrogate"),
        (#""\udc00""#, 1, "unpaired surrogate"),
        ("\"a\tb\"", 2, "unescaped control character"),
        ("{} x", 3, "after the JSON value"),
        ("{}\u{0}", 2, "NUL byte"),
        ("'a'", 0, "expected a value"),
        ("[1,2", 4, "inside an array"),
    ])
    func rejectsMalformedInput(text: String, offset: Int, detail: String) {
        #expect {
            _ = try JSONParser.parse(text)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.offset == offset && error.detail.contains(detail)
        }
    }

    @Test func rejectsInvalidUTF8InStringsAndOutside() {
        let inString: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError(offset: 2, detail: "invalid UTF-8 in string")) { try JSONParser.parse(inString) }
        let outside: [UInt8] = [0x5B, 0xFF, 0x5D]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(outside) }
        let overlong: [UInt8] = [0x22, 0xC0, 0xAF, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(overlong) }
        let encodedSurrogate: [UInt8] = [0x22, 0xED, 0xA0, 0x80, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(encodedSurrogate) }
    }

    @Test func limitsNestingWithoutExhaustingTheStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect {
            _ = try JSONParser.parse(deep)
        } throws: { ($0 as? JSONParseError)?.detail == "nesting deeper than 512 levels" }
        let deepObjects = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deepObjects) }
        let allowed = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try JSONParser.parse(allowed)
    }

    @Test func serializerEscapesControlCharactersAndSortsKeys() throws {
        let value: JSONValue = ["b": "line\nbreak\u{01}\u{7F}\"\\", "a": [1, 2.5, .null, false]]
        let text = JSONSerializer.string(value)
        #expect(text == #"{"a":[1,2.5,null,false],"b":"line\nbreak\u0001\u007f\"\\"}"#)
        #expect(!text.contains("\n"))
        #expect(try JSONParser.parse(text) == value)
    }

    @Test func prettyPrintingRoundTrips() throws {
        let value: JSONValue = ["nested": ["list": [1, ["k": "v"]], "empty": [:], "none": []]]
        let pretty = JSONSerializer.prettyString(value)
        #expect(pretty.contains("\n    \"list\": ["))
        #expect(try JSONParser.parse(pretty) == value)
    }

    @Test func codableBridgeDecodesAndEncodes() throws {
        struct Sample: Codable, Equatable { var name: String; var count: Int; var tags: [String]? }
        let value: JSONValue = ["name": "x", "count": 3]
        #expect(try value.decode(as: Sample.self) == Sample(name: "x", count: 3, tags: nil))
        #expect(try JSONValue(encoding: Sample(name: "y", count: 1, tags: ["a"])) == ["name": "y", "count": 1, "tags": ["a"]])
        let any = try JSONValue(encoding: JSONValue.array([true, 1, 1.5, "s", .null, ["k": 2]]))
        #expect(any == .array([true, 1, 1.5, "s", .null, ["k": 2]]))
    }
}
