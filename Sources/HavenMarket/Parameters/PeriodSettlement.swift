/// How one period of a contract settles, in micro-credits. The fee is paid after the period:
///
/// - challenges passed: the fee is charged; `floor(fee × hold-back‰ / 1000)` is held back until
///   the term ends and the rest is paid to the provider now;
/// - a challenge failed, came late or never came: nothing is paid, the whole fee is refunded to
///   the consumer (it stays with the consumer), the collateral is forfeited to the consumer and
///   the contract ends (see ``TermSettlement`` for the held-back payments).
///
/// No credit is created or lost: `paidNow + heldBack + refunded == charged`, always.
public struct PeriodSettlement: Sendable, Hashable {
    /// The period's fee, as the contract prices it.
    public let charged: Int64
    /// Paid to the provider at the end of the period.
    public let paidNow: Int64
    /// Kept back from the provider until the term ends.
    public let heldBack: Int64
    /// Returned to (kept by) the consumer because the period failed.
    public let refunded: Int64
    /// The provider's collateral, lost to the consumer because the period failed.
    public let collateralForfeited: Int64

    /// Settles a period whose fee is already known.
    public init(
        fee: Int64, holdBackPerMille: UInt64, collateral: Int64, challengesPassed: Bool
    ) throws(MarketParametersError) {
        let fee64 = try MicroCredits.nonNegative(fee, "a fee")
        _ = try MicroCredits.nonNegative(collateral, "the collateral")
        guard holdBackPerMille <= 1000 else { throw .invalid("the hold-back share is at most 1000 per-mille") }
        charged = fee
        if challengesPassed {
            do {
                heldBack = try ContractSettlement.heldBack(fee: Int64(fee64), perMille: holdBackPerMille)
            } catch {
                throw MarketParametersError(error)
            }
            paidNow = fee - heldBack
            refunded = 0
            collateralForfeited = 0
        } else {
            heldBack = 0
            paidNow = 0
            refunded = fee
            collateralForfeited = collateral
        }
    }

    /// Settles a period of storing `storedBytes` at `pricePerGiBPerPeriod`; the fee is
    /// `ceil(price × bytes / 2^30)`.
    public init(
        pricePerGiBPerPeriod: Int64, storedBytes: UInt64, holdBackPerMille: UInt64,
        collateral: Int64, challengesPassed: Bool
    ) throws(MarketParametersError) {
        _ = try MicroCredits.nonNegative(pricePerGiBPerPeriod, "the price")
        let fee: Int64
        do {
            fee = try ContractSettlement.periodFee(pricePerGiB: pricePerGiBPerPeriod, storedBytes: storedBytes)
        } catch {
            throw MarketParametersError(error)
        }
        try self.init(
            fee: fee, holdBackPerMille: holdBackPerMille, collateral: collateral,
            challengesPassed: challengesPassed
        )
    }
}
