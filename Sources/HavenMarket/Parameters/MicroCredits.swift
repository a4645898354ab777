/// Exact, overflow-checked arithmetic on micro-credits (`Int64`), shared by the settlements so
/// that every amount is rounded the same way everywhere.
///
/// The cores (`product`, `sum`) answer `nil` when a result does not fit; each caller throws its
/// own error (``ContractSettlement`` a ``ContractError``, the parameters a
/// ``MarketParametersError``).
enum MicroCredits {
    /// `a × b / divisor` over 128 bits, rounded as asked; `nil` if it does not fit in an `Int64`.
    static func product(_ a: UInt64, _ b: UInt64, over divisor: UInt64, roundingUp: Bool) -> Int64? {
        precondition(divisor > 0, "a divisor is never zero here")
        let product = a.multipliedFullWidth(by: b)
        guard product.high < divisor else { return nil }
        let (quotient, remainder) = divisor.dividingFullWidth(product)
        guard quotient < UInt64(Int64.max) || (quotient == UInt64(Int64.max) && !(roundingUp && remainder > 0)) else {
            return nil
        }
        return Int64(quotient + (roundingUp && remainder > 0 ? 1 : 0))
    }

    /// `a + b`; `nil` if it overflows.
    static func sum(_ a: Int64, _ b: Int64) -> Int64? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : sum
    }

    /// `a × b / divisor`, rounded as asked, or an overflow error naming `what`.
    static func multiplyDivide(
        _ a: UInt64, _ b: UInt64, by divisor: UInt64, roundingUp: Bool, what: String
    ) throws(MarketParametersError) -> Int64 {
        guard let result = product(a, b, over: divisor, roundingUp: roundingUp) else { throw .arithmeticOverflow(what) }
        return result
    }

    /// `a + b`, or an overflow error naming `what`.
    static func add(_ a: Int64, _ b: Int64, what: String) throws(MarketParametersError) -> Int64 {
        guard let result = sum(a, b) else { throw .arithmeticOverflow(what) }
        return result
    }

    /// Checks that `amount` is not negative.
    static func nonNegative(_ amount: Int64, _ what: String) throws(MarketParametersError) -> UInt64 {
        guard amount >= 0 else { throw .invalid("\(what) cannot be negative") }
        return UInt64(amount)
    }
}
