import Testing
@testable import JSONRPC

@Suite struct LineFramerTests {
    @Test func splitsLinesFedOneByteAtATime() {
        var framer = LineFramer(maxLineBytes: 100)
        var frames: [LineFramer.Frame] = []
        for byte in Array("one\ntwo\r\n\nthree".utf8) { frames += framer.append([byte]) }
        #expect(frames == [.line(Array("one".utf8)), .line(Array("two".utf8)), .line([])])
        #expect(framer.finish() == .line(Array("three".utf8)))
        #expect(framer.finish() == nil)
    }

    @Test func splitsManyLinesInOneChunk() {
        var framer = LineFramer(maxLineBytes: 100)
        #expect(framer.append(Array("a\nb\nc".utf8)) == [.line([0x61]), .line([0x62])])
        #expect(framer.append(Array("d\n".utf8)) == [.line(Array("cd".utf8))])
    }

    @Test func reportsAndSkipsAnOversizedLineThenGoesOn() {
        var framer = LineFramer(maxLineBytes: 10)
        var frames = framer.append(Array(repeating: UInt8(ascii: "x"), count: 7))
        frames += framer.append(Array(repeating: UInt8(ascii: "y"), count: 20))
        #expect(frames.isEmpty)
        frames += framer.append(Array("zz\nok\n".utf8))
        #expect(frames == [.oversized(size: 29), .line(Array("ok".utf8))])
    }

    @Test func acceptsALineExactlyAtTheLimitWithOrWithoutCR() {
        var framer = LineFramer(maxLineBytes: 4)
        #expect(framer.append(Array("abcd\nabcd\r\nabcde\n".utf8)) ==
            [.line(Array("abcd".utf8)), .line(Array("abcd".utf8)), .oversized(size: 5)])
    }

    @Test func oversizedUnterminatedLineIsReportedAtEnd() {
        var framer = LineFramer(maxLineBytes: 3)
        _ = framer.append(Array("abcdef".utf8))
        #expect(framer.finish() == .oversized(size: 6))
    }
}
