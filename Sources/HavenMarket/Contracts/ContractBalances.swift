/// Where a contract's micro-credits are, revision by revision. The five amounts always add up to
/// the same total: a revision moves credit between them, never creates or destroys it.
///
/// Revision 0 funds `consumerRemaining` with the value of the whole term and `collateralPosted`
/// with the provider's collateral; settlements, an end or a breach move amounts from there.
public struct ContractBalances: Sendable, Hashable, Codable {
    /// Paid in by the consumer and not yet spent; refunded to it when the contract closes.
    public var consumerRemaining: Int64
    /// Paid to the provider for settled periods.
    public var providerEarned: Int64
    /// The provider's share of settled fees kept back until the contract ends well.
    public var heldBack: Int64
    /// The provider's collateral, returned to it when the contract ends well.
    public var collateralPosted: Int64
    /// Collateral the provider lost by breaching; it belongs to the consumer.
    public var collateralForfeited: Int64

    public init(
        consumerRemaining: Int64, providerEarned: Int64 = 0, heldBack: Int64 = 0,
        collateralPosted: Int64, collateralForfeited: Int64 = 0
    ) {
        self.consumerRemaining = consumerRemaining
        self.providerEarned = providerEarned
        self.heldBack = heldBack
        self.collateralPosted = collateralPosted
        self.collateralForfeited = collateralForfeited
    }

    /// The five amounts in wire order, with their wire names.
    var named: [(String, Int64)] {
        [
            ("consumer_remaining", consumerRemaining), ("provider_earned", providerEarned), ("held_back", heldBack),
            ("collateral_posted", collateralPosted), ("collateral_forfeited", collateralForfeited),
        ]
    }

    /// The sum of the five amounts, or `nil` when it does not fit in 64 bits.
    public var total: Int64? {
        var sum: Int64 = 0
        for (_, amount) in named {
            let (next, overflow) = sum.addingReportingOverflow(amount)
            guard !overflow else { return nil }
            sum = next
        }
        return sum
    }

    /// The wire name of the first negative amount, if any.
    var firstNegative: String? {
        named.first { $0.1 < 0 }?.0
    }

    enum CodingKeys: String, CodingKey {
        case consumerRemaining = "consumer_remaining"
        case providerEarned = "provider_earned"
        case heldBack = "held_back"
        case collateralPosted = "collateral_posted"
        case collateralForfeited = "collateral_forfeited"
    }
}
