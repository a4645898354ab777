/// The probabilities of storage challenges: each challenge asks for one uniformly random leaf of
/// the stored shard, so a provider missing a fraction `f` of it fails each one with probability
/// `f`, independently.
public enum ChallengeOdds {
    /// The probability that all of `challenges` answers pass when `droppedFraction` of the shard
    /// is missing: `(1 − f)^c`.
    public static func allPass(droppedFraction: Double, challenges: UInt64) -> Double {
        precondition((0...1).contains(droppedFraction), "a dropped fraction lies in 0...1")
        var base = 1 - droppedFraction
        var exponent = challenges
        var result = 1.0
        while exponent > 0 {
            if exponent & 1 == 1 { result *= base }
            base *= base
            exponent >>= 1
        }
        return result
    }

    /// The probability that at least one of `challenges` answers fails: `1 − (1 − f)^c`.
    public static func detection(droppedFraction: Double, challenges: UInt64) -> Double {
        1 - allPass(droppedFraction: droppedFraction, challenges: challenges)
    }

    /// The fewest challenges that catch a provider missing `fraction` of a shard with at least
    /// `confidence`, within one period: the smallest `c` with `(1 − f)^c ≤ 1 − confidence`.
    public static func challengesToDetect(fraction: Double, confidence: Double) throws(MarketParametersError) -> UInt64 {
        guard fraction > 0, fraction <= 1 else { throw .invalid("the detectable fraction lies in (0, 1]") }
        guard confidence > 0, confidence < 1 else { throw .invalid("the detection confidence lies in (0, 1)") }
        var challenges: UInt64 = 1
        var pass = 1 - fraction
        while pass > 1 - confidence {
            challenges += 1
            pass *= 1 - fraction
            guard challenges <= 1_000_000 else { throw .invalid("detection needs over a million challenges") }
        }
        return challenges
    }
}
