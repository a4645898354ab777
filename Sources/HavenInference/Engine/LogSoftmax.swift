import Foundation

/// Log-probabilities from logits: `logit - log Σ exp(logits)`, computed stably (shifted by the
/// largest logit), for one token and the `top` most likely ones. One pass over the vocabulary
/// for the normaliser and one for the top-k, which stays small (at most 20).
enum LogSoftmax {
    /// The log-probability of `index`, and the `top` most likely indices with theirs, most
    /// likely first (ties: the lower index first).
    static func summarize(
        _ logits: UnsafeBufferPointer<Float>, index: Int, top: Int
    ) -> (logprob: Double, top: [(index: Int, logprob: Double)]) {
        var maximum = -Float.infinity
        for value in logits where value > maximum { maximum = value }
        var sum: Double = 0
        for value in logits { sum += Double(expf(value - maximum)) }
        let normaliser = Double(maximum) + log(sum)

        var best: [(index: Int, logit: Float)] = []
        if top > 0 {
            best.reserveCapacity(top + 1)
            for (position, value) in logits.enumerated() {
                guard best.count < top || value > best[best.count - 1].logit else { continue }
                let slot = best.firstIndex { value > $0.logit } ?? best.count
                best.insert((position, value), at: slot)
                if best.count > top { best.removeLast() }
            }
        }
        return (Double(logits[index]) - normaliser, best.map { ($0.index, Double($0.logit) - normaliser) })
    }
}
