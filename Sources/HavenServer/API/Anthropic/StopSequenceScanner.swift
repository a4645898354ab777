/// Watches generated text for stop sequences, so an answer can say which one ended it
/// (Anthropic's `stop_sequence`): passes on text that cannot be the start of one, holds back
/// what might be, and drops the stop sequence and everything after it.
struct StopSequenceScanner: Sendable {
    let stops: [String]
    private var held = ""

    init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
    }

    /// What may be passed on after `piece`, and the stop sequence reached, if one was (then
    /// nothing more should be fed).
    mutating func append(_ piece: String) -> (text: String, matched: String?) {
        let text = held + piece
        held = ""
        let found = stops.compactMap { stop in text.firstRange(of: stop).map { (stop, $0) } }
            .min { $0.1.lowerBound < $1.1.lowerBound }
        if let (stop, range) = found {
            return (String(text[..<range.lowerBound]), stop)
        }
        let keep = holdBackLength(text)
        held = String(text.suffix(keep))
        return (String(text.dropLast(keep)), nil)
    }

    /// The text still held, at the end of the generation.
    mutating func flush() -> String {
        defer { held = "" }
        return held
    }

    /// The longest suffix of `text` that begins some stop sequence.
    private func holdBackLength(_ text: String) -> Int {
        guard let longest = stops.map(\.count).max() else { return 0 }
        for length in stride(from: min(longest - 1, text.count), to: 0, by: -1) {
            let suffix = text.suffix(length)
            if stops.contains(where: { $0.hasPrefix(suffix) }) { return length }
        }
        return 0
    }
}
