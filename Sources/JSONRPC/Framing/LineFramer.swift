/// Splits a byte stream into `\n`-terminated lines (a trailing `\r` is dropped), holding at
/// most `maxLineBytes` of any one line in memory.
///
/// A line longer than the limit is not buffered: its bytes are counted and discarded up to
/// the next `\n`, and it is reported as `.oversized` so the session can answer it and go on.
public struct LineFramer: Sendable {
    /// One framed unit of input.
    public enum Frame: Sendable, Equatable {
        /// A complete line without its terminator.
        case line([UInt8])
        /// A line that exceeded the limit; `size` is its full length in bytes.
        case oversized(size: Int)
    }

    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// Bytes of an oversized line seen so far; nil when not discarding.
    private var discarded: Int?

    public init(maxLineBytes: Int) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds bytes and returns the frames they complete, in order.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) -> [Frame] {
        var frames: [Frame] = []
        var start = 0
        let count = bytes.count
        while start < count {
            let remaining = UnsafeRawBufferPointer(rebasing: bytes[start..<count])
            guard let newline = remaining.firstIndex(of: UInt8(ascii: "\n")) else {
                absorb(remaining)
                break
            }
            let lineEnd = start + newline
            absorb(UnsafeRawBufferPointer(rebasing: bytes[start..<lineEnd]))
            frames.append(finishLine())
            start = lineEnd + 1
        }
        return frames
    }

    /// Convenience for tests and small inputs.
    public mutating func append(_ bytes: [UInt8]) -> [Frame] {
        bytes.withUnsafeBytes { append($0) }
    }

    /// At end of input: the unterminated last line, if any, as a frame.
    public mutating func finish() -> Frame? {
        if discarded == nil, buffer.isEmpty { return nil }
        return finishLine()
    }

    private mutating func absorb(_ chunk: UnsafeRawBufferPointer) {
        guard !chunk.isEmpty else { return }
        if let seen = discarded {
            discarded = seen + chunk.count
        } else if buffer.count + chunk.count > maxLineBytes + 1 {
            // +1 tolerates the '\r' of a CRLF line that is exactly at the limit.
            discarded = buffer.count + chunk.count
            buffer = []
        } else {
            buffer.append(contentsOf: chunk)
        }
    }

    private mutating func finishLine() -> Frame {
        if let seen = discarded {
            discarded = nil
            return .oversized(size: seen)
        }
        var line = buffer
        buffer = []
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if line.count > maxLineBytes { return .oversized(size: line.count) }
        return .line(line)
    }
}
