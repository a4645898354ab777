/// The conditions every storage contract in the Datamall carries, and the rule that derives
/// their defaults: for every way of cheating, the expected penalty must exceed what cheating
/// saves, by a safety margin. Shares are per-mille (1000 = 100 %), as in `OfferTerms`.
///
/// HavenMarket owns the market's rules and arithmetic; it performs no I/O and holds no keys.
public struct MarketParameters: Sendable, Hashable {
    /// The length of one period (payment and challenge round), in seconds.
    public var periodSeconds: UInt64
    /// The fewest periods a contract runs; held-back payments are released at its end.
    public var minimumTermPeriods: UInt64
    /// The provider's collateral as a share of the term's value, per-mille; may exceed 1000.
    public var collateralPerMille: UInt64
    /// How many storage challenges the consumer issues per period.
    public var challengesPerPeriod: UInt64
    /// The share of each period's fee held back until the term ends well, per-mille.
    public var holdBackPerMille: UInt64
    /// The bond a consumer stakes on a dispute, as a share of the term's value, per-mille; lost
    /// to the provider when the provider answers correctly.
    public var disputeBondPerMille: UInt64

    public init(
        periodSeconds: UInt64, minimumTermPeriods: UInt64, collateralPerMille: UInt64,
        challengesPerPeriod: UInt64, holdBackPerMille: UInt64, disputeBondPerMille: UInt64
    ) {
        self.periodSeconds = periodSeconds
        self.minimumTermPeriods = minimumTermPeriods
        self.collateralPerMille = collateralPerMille
        self.challengesPerPeriod = challengesPerPeriod
        self.holdBackPerMille = holdBackPerMille
        self.disputeBondPerMille = disputeBondPerMille
    }

    /// The terms of an offer of `capacityBytes` at `pricePerGiBPerPeriod` under these
    /// parameters: what a provider publishes unless it says otherwise.
    public func offerTerms(capacityBytes: UInt64, pricePerGiBPerPeriod: Int64) -> OfferTerms {
        OfferTerms(
            capacityBytes: capacityBytes, pricePerGiBPerPeriod: pricePerGiBPerPeriod, periodSeconds: periodSeconds,
            minimumTermPeriods: minimumTermPeriods, collateralPerMille: collateralPerMille,
            challengesPerPeriod: challengesPerPeriod, holdBackPerMille: holdBackPerMille)
    }

    /// The defaults for the reference economics (see docs/market.md for the numbers).
    public static var `default`: MarketParameters {
        // The reference inputs are valid by construction, so the derivation cannot fail.
        guard let parameters = try? derived(economics: .reference) else {
            preconditionFailure("the reference economics derive valid parameters")
        }
        return parameters
    }

    /// Derives parameters under which no cheating strategy pays in expectation, counting only
    /// the collateral and the dispute bond as penalties (the refunded fee of a failed period and
    /// the forfeited held-back payments deter further, uncounted):
    ///
    /// - challenges `c`: the fewest that catch a provider missing `detectableDropFraction` of a
    ///   shard within one period with `detectionConfidence`; at least one.
    /// - collateral `K`: dropping a fraction `f` saves `f·C` per period and is caught with
    ///   probability `q(f) = 1 − (1 − f)^c`, so `q(f)·K ≥ m·f·C`. `f/q(f)` grows with `f` up to 1
    ///   at `f = 1`, which is also answering from another's copy or not answering (caught at
    ///   once, saving all of `C`); hence `K ≥ m·C` per GiB, i.e. `m·C/(P·T)` of the term's value.
    /// - hold-back `h`: half the provider's margin, `(P − C)/(2P)`, so the part paid each period
    ///   still covers the storage cost while half the profit stays at stake until the term ends.
    /// - dispute bond `B`: a false dispute wins only if the honest provider misses its answer
    ///   (probability `ε`), so `(1 − ε)·B ≥ m·ε·(K + H + P)`; and never less than `m` periods'
    ///   fees, so that disputing blindly costs more than the service it harasses.
    ///
    /// `safetyMargin` is the factor `m ≥ 1` by which penalties must exceed savings.
    public static func derived(
        economics: MarketEconomics,
        periodSeconds: UInt64 = 86_400,
        minimumTermPeriods: UInt64 = 30,
        detectableDropFraction: Double = 0.05,
        detectionConfidence: Double = 0.99,
        honestMissRate: Double = 0.001,
        safetyMargin: Double = 2
    ) throws(MarketParametersError) -> MarketParameters {
        try economics.validate()
        guard periodSeconds > 0 else { throw .invalid("a period lasts at least one second") }
        guard minimumTermPeriods > 0 else { throw .invalid("the minimum term is at least one period") }
        guard safetyMargin >= 1 else { throw .invalid("the safety margin is at least 1") }
        guard honestMissRate >= 0, honestMissRate < 1 else { throw .invalid("the honest miss rate lies in [0, 1)") }

        let challenges = try ChallengeOdds.challengesToDetect(
            fraction: detectableDropFraction, confidence: detectionConfidence
        )
        let price = Double(economics.pricePerGiBPerPeriod)
        let cost = Double(economics.storageCostPerGiBPerPeriod)
        let term = Double(minimumTermPeriods)

        let collateral = perMilleRoundedUp(safetyMargin * cost / (price * term))
        let holdBack = UInt64((1000 * (price - cost) / (2 * price)).rounded(.down))
        let atStake = Double(collateral + holdBack) + 1000 / term
        let missOdds = honestMissRate / (1 - honestMissRate)
        let bond = max(perMilleRoundedUp(safetyMargin * missOdds * atStake / 1000), perMilleRoundedUp(safetyMargin / term))

        return MarketParameters(
            periodSeconds: periodSeconds, minimumTermPeriods: minimumTermPeriods,
            collateralPerMille: collateral, challengesPerPeriod: challenges,
            holdBackPerMille: holdBack, disputeBondPerMille: bond
        )
    }

    /// Throws unless every number is inside what a contract may say.
    public func validate() throws(MarketParametersError) {
        guard periodSeconds > 0 else { throw .invalid("a period lasts at least one second") }
        guard minimumTermPeriods > 0 else { throw .invalid("the minimum term is at least one period") }
        guard collateralPerMille <= 100_000 else { throw .invalid("collateral is at most 100 000 per-mille") }
        guard holdBackPerMille <= 1000 else { throw .invalid("the hold-back share is at most 1000 per-mille") }
        guard disputeBondPerMille <= 100_000 else { throw .invalid("the dispute bond is at most 100 000 per-mille") }
    }

    /// The amounts of one contract storing `storedBytes` at `pricePerGiBPerPeriod` for the
    /// minimum term.
    public func amounts(pricePerGiBPerPeriod: Int64, storedBytes: UInt64) throws(MarketParametersError) -> ContractAmounts {
        try ContractAmounts(
            pricePerGiBPerPeriod: pricePerGiBPerPeriod, storedBytes: storedBytes, parameters: self
        )
    }

    /// `ratio × 1000`, rounded up so a derived share never falls below its bound; the epsilon
    /// keeps an exact bound such as 100/3 ‰ from rounding up twice through binary error.
    private static func perMilleRoundedUp(_ ratio: Double) -> UInt64 {
        UInt64((ratio * 1000 - 1e-9).rounded(.up))
    }
}
