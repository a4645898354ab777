/// Decides what one decoding step holds: continuous batching as a pure function.
///
/// Every generating sequence gets exactly one token (so running streams advance together and
/// none starves), and what room is left goes to prompt chunks of sequences still reading their
/// prompt, oldest first; a long prompt is split across steps.
public enum BatchPlanner {
    /// A sequence still reading its prompt, with the number of prompt tokens not yet decoded.
    public struct Prefill: Equatable, Sendable {
        public var sequence: Int
        public var remaining: Int
        public init(sequence: Int, remaining: Int) {
            self.sequence = sequence
            self.remaining = remaining
        }
    }

    /// What the step decodes: one token of each generating sequence, then prompt chunks.
    public struct Plan: Equatable, Sendable {
        public var generating: [Int]
        public var prompt: [Prefill]
        public var tokenCount: Int { generating.count + prompt.reduce(0) { $0 + $1.remaining } }
    }

    public static func plan(generating: [Int], prefilling: [Prefill], capacity: Int) -> Plan {
        let decoding = Array(generating.prefix(capacity))
        var room = capacity - decoding.count
        var chunks: [Prefill] = []
        for prefill in prefilling where room > 0 && prefill.remaining > 0 {
            let count = min(prefill.remaining, room)
            chunks.append(Prefill(sequence: prefill.sequence, remaining: count))
            room -= count
        }
        return Plan(generating: decoding, prompt: chunks)
    }

    /// Length of the common prefix of two token lists.
    public static func commonPrefixLength(_ lhs: [Int32], _ rhs: [Int32]) -> Int {
        var count = 0
        while count < lhs.count, count < rhs.count, lhs[count] == rhs[count] { count += 1 }
        return count
    }
}
