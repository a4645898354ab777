/// Turns a stream of token pieces into text a client can be sent: whole UTF-8 characters only,
/// and never any part of a stop string. Text that might be the start of a stop string is held
/// back until the next piece decides it.
public struct OutputText: Sendable {
    let stops: [String]
    private var pendingBytes: [UInt8] = []
    private var held = ""

    public init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
    }

    /// What may be sent after `bytes` arrived, and whether a stop string was reached (the
    /// stop string itself and anything after it are dropped).
    public mutating func append(_ bytes: [UInt8]) -> (text: String, stopped: Bool) {
        pendingBytes += bytes
        let complete = Self.completeCharacterPrefix(pendingBytes)
        let text = held + String(decoding: pendingBytes.prefix(complete), as: UTF8.self)
        pendingBytes.removeFirst(complete)
        if let stop = stops.compactMap({ text.firstRange(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            held = ""
            return (String(text[..<stop.lowerBound]), true)
        }
        let keep = holdBackLength(text)
        held = String(text.suffix(keep))
        return (String(text.dropLast(keep)), false)
    }

    /// Whatever is still held, at the end of generation.
    public mutating func flush() -> String {
        defer {
            held = ""
            pendingBytes = []
        }
        return held + String(decoding: pendingBytes, as: UTF8.self)
    }

    /// The longest suffix of `text` that begins some stop string.
    private func holdBackLength(_ text: String) -> Int {
        guard let longest = stops.map(\.count).max() else { return 0 }
        for length in stride(from: min(longest - 1, text.count), to: 0, by: -1) {
            let suffix = String(text.suffix(length))
            if stops.contains(where: { $0.hasPrefix(suffix) }) { return length }
        }
        return 0
    }

    /// How many leading bytes form whole UTF-8 characters (a trailing partial one is left).
    static func completeCharacterPrefix(_ bytes: [UInt8]) -> Int {
        var index = bytes.count - 1
        var continuation = 0
        while index >= 0, bytes[index] & 0xC0 == 0x80, continuation < 3 {
            index -= 1
            continuation += 1
        }
        guard index >= 0 else { return bytes.count }
        let lead = bytes[index]
        let expected: Int =
            lead & 0x80 == 0 ? 1 : lead & 0xE0 == 0xC0 ? 2 : lead & 0xF0 == 0xE0 ? 3 : lead & 0xF8 == 0xF0 ? 4 : 1
        return continuation + 1 >= expected ? bytes.count : index
    }
}
