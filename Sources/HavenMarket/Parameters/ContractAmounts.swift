/// The fixed amounts of one contract, in micro-credits, rounded as `ContractSettlement` rounds:
/// the fee up (storing any data is never free), the collateral and the dispute bond up (never
/// below the promised share).
public struct ContractAmounts: Sendable, Hashable {
    /// Bytes in a GiB, the unit prices are quoted in.
    public static let bytesPerGiB = ContractSettlement.bytesPerGiB

    /// One period's fee: `ceil(price × bytes / 2^30)`.
    public let periodFee: Int64
    /// The fee times the minimum term.
    public let termValue: Int64
    /// What the provider posts: `ceil(termValue × collateral‰ / 1000)`.
    public let collateral: Int64
    /// What a consumer stakes per dispute: `ceil(termValue × bond‰ / 1000)`.
    public let disputeBond: Int64

    public init(
        pricePerGiBPerPeriod: Int64, storedBytes: UInt64, parameters: MarketParameters
    ) throws(MarketParametersError) {
        _ = try MicroCredits.nonNegative(pricePerGiBPerPeriod, "the price")
        // The contract's own arithmetic, so an offer priced from these parameters and the
        // contract that follows agree to the micro-credit.
        do {
            periodFee = try ContractSettlement.periodFee(pricePerGiB: pricePerGiBPerPeriod, storedBytes: storedBytes)
            termValue = try ContractSettlement.termValue(periodFee: periodFee, periods: parameters.minimumTermPeriods)
            collateral = try ContractSettlement.collateral(termValue: termValue, perMille: parameters.collateralPerMille)
        } catch {
            throw MarketParametersError(error)
        }
        disputeBond = try MicroCredits.multiplyDivide(
            UInt64(termValue), parameters.disputeBondPerMille, by: 1000, roundingUp: true, what: "the dispute bond"
        )
    }
}
