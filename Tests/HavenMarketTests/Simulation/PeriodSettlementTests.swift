import HavenMarket
import Testing

@Suite("PeriodSettlement")
struct PeriodSettlementTests {
    @Test func passedPeriodPaysAndHoldsBackTheWholeFee() throws {
        let settlement = try PeriodSettlement(fee: 1_001, holdBackPerMille: 250, collateral: 5_000, challengesPassed: true)
        #expect(settlement.heldBack == 250)
        #expect(settlement.paidNow == 751)
        #expect(settlement.refunded == 0)
        #expect(settlement.collateralForfeited == 0)
    }

    @Test func failedPeriodRefundsTheFeeAndForfeitsCollateral() throws {
        let settlement = try PeriodSettlement(fee: 1_001, holdBackPerMille: 250, collateral: 5_000, challengesPassed: false)
        #expect(settlement.paidNow == 0)
        #expect(settlement.heldBack == 0)
        #expect(settlement.refunded == 1_001)
        #expect(settlement.collateralForfeited == 5_000)
    }

    @Test func amountsAddUpExactlyForManyRandomInputs() throws {
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            let price = Int64(random.nextIndex(below: 1_000_000))
            let bytes = UInt64(random.nextIndex(below: 1 << 40))
            let share = UInt64(random.nextIndex(below: 1_001))
            let collateral = Int64(random.nextIndex(below: 1 << 40))
            let passed = random.nextIndex(below: 2) == 0
            let settlement = try PeriodSettlement(
                pricePerGiBPerPeriod: price, storedBytes: bytes, holdBackPerMille: share,
                collateral: collateral, challengesPassed: passed
            )
            #expect(settlement.paidNow + settlement.heldBack + settlement.refunded == settlement.charged)
            #expect(min(settlement.paidNow, settlement.heldBack, settlement.refunded) >= 0)
            // The fee rounds up: never below the exact price × bytes / 2^30.
            let exact = price.multipliedFullWidth(by: Int64(bytes))
            #expect(Int64(settlement.charged).multipliedFullWidth(by: 1 << 30) >= exact)
            if passed {
                #expect(settlement.heldBack == settlement.charged * Int64(share) / 1000)
                #expect(settlement.collateralForfeited == 0)
            } else {
                #expect(settlement.collateralForfeited == collateral)
            }
        }
    }

    @Test func overflowingAndNegativeInputsThrow() {
        #expect(throws: MarketParametersError.self) {
            try PeriodSettlement(
                pricePerGiBPerPeriod: .max, storedBytes: .max, holdBackPerMille: 0, collateral: 0, challengesPassed: true
            )
        }
        #expect(throws: MarketParametersError.self) {
            try PeriodSettlement(fee: -1, holdBackPerMille: 0, collateral: 0, challengesPassed: true)
        }
        #expect(throws: MarketParametersError.self) {
            try PeriodSettlement(fee: 1, holdBackPerMille: 1_001, collateral: 0, challengesPassed: true)
        }
    }
}
