/// What one cheating strategy gains and risks per period under given parameters, per GiB
/// stored, in micro-credits: the condition the derivation enforces, made checkable.
///
/// Only the collateral (for providers) and the bond (for consumers) are counted as penalties;
/// a failed period's refunded fee and the forfeited held-back payments deter further.
public struct DeterrenceCheck: Sendable, Hashable {
    /// The cheat examined.
    public let strategy: CheatingStrategy
    /// What the cheat saves or wins per period, in expectation.
    public let expectedSaving: Double
    /// The penalty it incurs per period, in expectation.
    public let expectedPenalty: Double

    /// Whether the penalty exceeds the saving.
    public var isDeterred: Bool { expectedPenalty > expectedSaving }

    /// By how many times the penalty exceeds the saving (infinite when nothing is saved).
    public var margin: Double { expectedSaving > 0 ? expectedPenalty / expectedSaving : .infinity }

    /// Examines `strategy` for one GiB under `parameters` and `economics`; `honestMissRate` is
    /// the chance that an honest provider misses a dispute's answer deadline.
    public init(
        _ strategy: CheatingStrategy, parameters: MarketParameters, economics: MarketEconomics,
        honestMissRate: Double = 0.001
    ) {
        let price = Double(economics.pricePerGiBPerPeriod)
        let cost = Double(economics.storageCostPerGiBPerPeriod)
        let termValue = price * Double(parameters.minimumTermPeriods)
        let collateral = termValue * Double(parameters.collateralPerMille) / 1000
        let challenges = parameters.challengesPerPeriod
        self.strategy = strategy
        switch strategy {
        case .dropFraction(let fraction):
            expectedSaving = fraction * cost
            expectedPenalty = ChallengeOdds.detection(droppedFraction: fraction, challenges: challenges) * collateral
        case .answerFromOthersCopy, .notAnswering:
            expectedSaving = cost
            expectedPenalty = challenges > 0 ? collateral : 0
        case .falseDispute:
            let heldBackAtMost = termValue * Double(parameters.holdBackPerMille) / 1000
            let bond = termValue * Double(parameters.disputeBondPerMille) / 1000
            expectedSaving = honestMissRate * (collateral + heldBackAtMost + price)
            expectedPenalty = (1 - honestMissRate) * bond
        }
    }
}
