import HavenMarket
import Testing

@Suite struct ContractSettlementTests {
    @Test(arguments: [
        (1, 1), (1 << 30, 1_000_000), (3 << 29, 1_500_000), ((1 << 30) + 1, 1_000_001),
    ] as [(UInt64, Int64)])
    func periodFeeRoundsUpToWholeMicroCredits(bytes: UInt64, fee: Int64) throws {
        #expect(try ContractSettlement.periodFee(pricePerGiB: 1_000_000, storedBytes: bytes) == fee)
    }

    @Test func freeStorageCostsNothing() throws {
        #expect(try ContractSettlement.periodFee(pricePerGiB: 0, storedBytes: 1 << 40) == 0)
    }

    @Test func collateralRoundsUpSoItIsNeverBelowTheRatio() throws {
        #expect(try ContractSettlement.collateral(termValue: 1_001, perMille: 1_500) == 1_502)
        #expect(try ContractSettlement.collateral(termValue: 1_000, perMille: 1_500) == 1_500)
        #expect(try ContractSettlement.collateral(termValue: 7, perMille: 0) == 0)
    }

    @Test func heldBackAndPaidAlwaysAddUpToTheFee() throws {
        var random = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            let fee = Int64.random(in: 0...1_000_000_000_000, using: &random)
            let perMille = UInt64.random(in: 0...1_000, using: &random)
            let before = ContractBalances(consumerRemaining: fee + 5, collateralPosted: 9)
            let after = try ContractSettlement.settlingPeriod(before, fee: fee, holdBackPerMille: perMille)
            #expect(after.heldBack + after.providerEarned == fee)
            #expect(after.heldBack == fee * Int64(perMille) / 1000)
            #expect(after.total == before.total)
        }
    }

    @Test func hugeTermsOverflowInsteadOfWrapping() {
        #expect(throws: ContractError.arithmeticOverflow("the period fee")) {
            try ContractSettlement.periodFee(pricePerGiB: .max, storedBytes: .max)
        }
        #expect(throws: ContractError.arithmeticOverflow("the term's value")) {
            try ContractSettlement.termValue(periodFee: .max / 2, periods: 3)
        }
    }

    @Test func aPeriodTheConsumerCannotPayIsRefused() {
        let balances = ContractBalances(consumerRemaining: 10, collateralPosted: 0)
        #expect(throws: ContractError.insufficientFunds(needed: 11, available: 10)) {
            try ContractSettlement.settlingPeriod(balances, fee: 11, holdBackPerMille: 0)
        }
    }

    @Test func breachForfeitsCollateralAndReturnsHeldBackToTheConsumer() throws {
        let balances = ContractBalances(
            consumerRemaining: 100, providerEarned: 30, heldBack: 10, collateralPosted: 200, collateralForfeited: 0)
        let breached = try ContractSettlement.breaching(balances)
        #expect(breached == ContractBalances(consumerRemaining: 110, providerEarned: 30, heldBack: 0, collateralPosted: 0, collateralForfeited: 200))
        #expect(breached.total == balances.total)
    }

    @Test func endingPaysTheHeldBackShareToTheProvider() throws {
        let balances = ContractBalances(consumerRemaining: 1, providerEarned: 30, heldBack: 10, collateralPosted: 200)
        let ended = try ContractSettlement.ending(balances)
        #expect(ended == ContractBalances(consumerRemaining: 1, providerEarned: 40, heldBack: 0, collateralPosted: 200))
    }
}
