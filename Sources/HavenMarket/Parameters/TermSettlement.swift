/// How a contract's held-back payments and collateral are settled when it ends, in
/// micro-credits.
///
/// - completed (every period passed through the term): the held-back payments are released to
///   the provider and its collateral is returned;
/// - breached (a period failed): the held-back payments are refunded to the consumer; the
///   collateral was already forfeited by the failing ``PeriodSettlement``, so none returns.
///
/// No credit is created or lost: `releasedToProvider + refundedToConsumer == heldBack`.
public struct TermSettlement: Sendable, Hashable {
    /// How the contract ended.
    public enum Ending: Sendable, Hashable {
        /// Every period of the term passed its challenges.
        case completed
        /// A period failed, which ended the contract early.
        case breached
    }

    /// The held-back payments accumulated over the contract.
    public let heldBack: Int64
    /// Paid to the provider now.
    public let releasedToProvider: Int64
    /// Refunded to the consumer now.
    public let refundedToConsumer: Int64
    /// Collateral handed back to the provider.
    public let collateralReturned: Int64

    public init(heldBack: Int64, collateral: Int64, ending: Ending) throws(MarketParametersError) {
        _ = try MicroCredits.nonNegative(heldBack, "the held-back total")
        _ = try MicroCredits.nonNegative(collateral, "the collateral")
        self.heldBack = heldBack
        switch ending {
        case .completed:
            releasedToProvider = heldBack
            refundedToConsumer = 0
            collateralReturned = collateral
        case .breached:
            releasedToProvider = 0
            refundedToConsumer = heldBack
            collateralReturned = 0
        }
    }

    /// The held-back total after one more period's settlement, overflow-checked.
    public static func accumulating(_ heldBack: Int64, _ period: PeriodSettlement) throws(MarketParametersError) -> Int64 {
        try MicroCredits.add(heldBack, period.heldBack, what: "the held-back total")
    }
}
