/// The arithmetic of a storage contract, in whole micro-credits, exact and overflow-checked.
///
/// Rounding, chosen so that no credit is ever created or lost:
/// - a period's fee is `ceil(price × bytes / 2^30)`: storing any data is never free;
/// - the collateral is `ceil(term value × ratio / 1000)`: never below the promised ratio;
/// - a fee's held-back part is `floor(fee × share / 1000)` and the part paid now is the fee minus
///   that, so the two always add up to the fee exactly.
/// Every transition only moves amounts between the five ``ContractBalances``, so their total
/// is the same before and after.
public enum ContractSettlement {
    /// Bytes in a GiB, the unit prices are quoted in.
    public static let bytesPerGiB: UInt64 = 1 << 30

    /// The fee for storing `storedBytes` for one period.
    public static func periodFee(pricePerGiB: Int64, storedBytes: UInt64) throws(ContractError) -> Int64 {
        guard pricePerGiB >= 0 else { throw .invalidTerms("the price cannot be negative") }
        return try multiplyDivide(UInt64(pricePerGiB), storedBytes, by: bytesPerGiB, roundingUp: true, what: "the period fee")
    }

    /// The value of a whole term: the period fee times the number of periods.
    public static func termValue(periodFee: Int64, periods: UInt64) throws(ContractError) -> Int64 {
        guard periodFee >= 0 else { throw .invalidTerms("a fee cannot be negative") }
        return try multiplyDivide(UInt64(periodFee), periods, by: 1, roundingUp: false, what: "the term's value")
    }

    /// The collateral the provider posts for a term of `termValue`.
    public static func collateral(termValue: Int64, perMille: UInt64) throws(ContractError) -> Int64 {
        guard termValue >= 0 else { throw .invalidTerms("a term's value cannot be negative") }
        return try multiplyDivide(UInt64(termValue), perMille, by: 1000, roundingUp: true, what: "the collateral")
    }

    /// The part of `fee` held back: rounded down, so the part paid now takes the remainder.
    public static func heldBack(fee: Int64, perMille: UInt64) throws(ContractError) -> Int64 {
        guard fee >= 0 else { throw .invalidTerms("a fee cannot be negative") }
        guard perMille <= 1000 else { throw .invalidTerms("the hold-back share is at most 1000 per-mille") }
        return try multiplyDivide(UInt64(fee), perMille, by: 1000, roundingUp: false, what: "the held-back share")
    }

    /// The opening balances of a contract: the consumer prepays the whole term, the provider
    /// posts its collateral, nothing is earned yet.
    public static func opening(terms: OfferTerms, storedBytes: UInt64, periods: UInt64) throws(ContractError) -> ContractBalances {
        let fee = try periodFee(pricePerGiB: terms.pricePerGiBPerPeriod, storedBytes: storedBytes)
        let value = try termValue(periodFee: fee, periods: periods)
        let posted = try collateral(termValue: value, perMille: terms.collateralPerMille)
        let balances = ContractBalances(consumerRemaining: value, collateralPosted: posted)
        guard balances.total != nil else { throw .arithmeticOverflow("the contract's total") }
        return balances
    }

    /// Settles one period: `fee` leaves the consumer's balance; its held-back part goes to
    /// ``ContractBalances/heldBack`` and the rest to ``ContractBalances/providerEarned``.
    public static func settlingPeriod(_ balances: ContractBalances, fee: Int64, holdBackPerMille: UInt64) throws(ContractError) -> ContractBalances {
        guard fee <= balances.consumerRemaining else {
            throw .insufficientFunds(needed: fee, available: balances.consumerRemaining)
        }
        let held = try heldBack(fee: fee, perMille: holdBackPerMille)
        var next = balances
        next.consumerRemaining -= fee
        next.heldBack = try add(next.heldBack, held, what: "the held-back balance")
        next.providerEarned = try add(next.providerEarned, fee - held, what: "the provider's earnings")
        return next
    }

    /// Closes after a breach: the posted collateral is forfeited to the consumer and the
    /// held-back share returns to the consumer's balance.
    public static func breaching(_ balances: ContractBalances) throws(ContractError) -> ContractBalances {
        var next = balances
        next.collateralForfeited = try add(next.collateralForfeited, next.collateralPosted, what: "the forfeited collateral")
        next.collateralPosted = 0
        next.consumerRemaining = try add(next.consumerRemaining, next.heldBack, what: "the consumer's balance")
        next.heldBack = 0
        return next
    }

    /// Closes normally: the held-back share is paid to the provider. The collateral stays
    /// posted in the record; an `ended` status releases it to the provider.
    public static func ending(_ balances: ContractBalances) throws(ContractError) -> ContractBalances {
        var next = balances
        next.providerEarned = try add(next.providerEarned, next.heldBack, what: "the provider's earnings")
        next.heldBack = 0
        return next
    }

    private static func add(_ a: Int64, _ b: Int64, what: String) throws(ContractError) -> Int64 {
        guard let sum = MicroCredits.sum(a, b) else { throw .arithmeticOverflow(what) }
        return sum
    }

    /// `a × b / divisor` over 128 bits, rounded as asked, checked to fit in an `Int64`.
    private static func multiplyDivide(_ a: UInt64, _ b: UInt64, by divisor: UInt64, roundingUp: Bool, what: String) throws(ContractError) -> Int64 {
        guard let result = MicroCredits.product(a, b, over: divisor, roundingUp: roundingUp) else {
            throw .arithmeticOverflow(what)
        }
        return result
    }
}
