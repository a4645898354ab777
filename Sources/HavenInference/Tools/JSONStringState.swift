/// Where a stream of JSON bytes stands with respect to strings: inside one or not, and whether
/// the next byte is escaped. Fed one byte at a time, so streaming and whole-text readers share it.
struct JSONStringState: Sendable {
    /// Whether the last byte fed left the stream inside a string (after its opening quote and
    /// before its closing one).
    private(set) var inString = false
    private var escaped = false

    /// Moves past `byte`.
    mutating func consume(_ byte: UInt8) {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
        } else if byte == UInt8(ascii: "\"") {
            inString = true
        }
    }
}
