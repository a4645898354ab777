import HavenMarket
import Testing

@Suite("TermSettlement")
struct TermSettlementTests {
    @Test func completedTermReleasesHeldBackAndReturnsCollateral() throws {
        let term = try TermSettlement(heldBack: 7_500, collateral: 1_020, ending: .completed)
        #expect(term.releasedToProvider == 7_500)
        #expect(term.refundedToConsumer == 0)
        #expect(term.collateralReturned == 1_020)
    }

    @Test func breachedTermRefundsHeldBackAndReturnsNoCollateral() throws {
        let term = try TermSettlement(heldBack: 7_500, collateral: 1_020, ending: .breached)
        #expect(term.releasedToProvider == 0)
        #expect(term.refundedToConsumer == 7_500)
        #expect(term.collateralReturned == 0)
    }

    @Test func wholeContractsConserveCreditForManyRandomInputs() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            let parameters = MarketParameters(
                periodSeconds: 86_400, minimumTermPeriods: UInt64(1 + random.nextIndex(below: 60)),
                collateralPerMille: UInt64(random.nextIndex(below: 5_000)), challengesPerPeriod: 1,
                holdBackPerMille: UInt64(random.nextIndex(below: 1_001)), disputeBondPerMille: 0
            )
            let amounts = try parameters.amounts(
                pricePerGiBPerPeriod: Int64(random.nextIndex(below: 100_000)),
                storedBytes: UInt64(random.nextIndex(below: 1 << 38))
            )
            let failingPeriod = random.nextIndex(below: Int(parameters.minimumTermPeriods) + 1)
            var charged: Int64 = 0, paid: Int64 = 0, refunded: Int64 = 0, held: Int64 = 0, forfeited: Int64 = 0
            var ending = TermSettlement.Ending.completed
            for period in 0..<Int(parameters.minimumTermPeriods) {
                let passed = period != failingPeriod
                let settlement = try PeriodSettlement(
                    fee: amounts.periodFee, holdBackPerMille: parameters.holdBackPerMille,
                    collateral: amounts.collateral, challengesPassed: passed
                )
                charged += settlement.charged
                paid += settlement.paidNow
                refunded += settlement.refunded
                forfeited += settlement.collateralForfeited
                held = try TermSettlement.accumulating(held, settlement)
                if !passed {
                    ending = .breached
                    break
                }
            }
            let term = try TermSettlement(heldBack: held, collateral: amounts.collateral, ending: ending)
            #expect(term.releasedToProvider + term.refundedToConsumer == held)
            #expect(paid + term.releasedToProvider + refunded + term.refundedToConsumer == charged)
            #expect(term.collateralReturned + forfeited == amounts.collateral)
        }
    }
}
