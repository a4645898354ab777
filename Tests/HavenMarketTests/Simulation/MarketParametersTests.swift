import HavenMarket
import Testing

@Suite("MarketParameters")
struct MarketParametersTests {
    @Test func referenceEconomicsDeriveTheDocumentedDefaults() throws {
        let parameters = try MarketParameters.derived(economics: .reference)
        #expect(parameters.periodSeconds == 86_400)
        #expect(parameters.minimumTermPeriods == 30)
        #expect(parameters.collateralPerMille == 34)
        #expect(parameters.challengesPerPeriod == 90)
        #expect(parameters.holdBackPerMille == 250)
        #expect(parameters.disputeBondPerMille == 67)
        #expect(MarketParameters.default == parameters)
    }

    static let economies: [MarketEconomics] = [
        .reference,
        MarketEconomics(pricePerGiBPerPeriod: 1_000, storageCostPerGiBPerPeriod: 900, valuePerGiBPerPeriod: 1_500),
        MarketEconomics(pricePerGiBPerPeriod: 7_919, storageCostPerGiBPerPeriod: 13, valuePerGiBPerPeriod: 9_000),
        MarketEconomics(pricePerGiBPerPeriod: 250, storageCostPerGiBPerPeriod: 249, valuePerGiBPerPeriod: 300),
    ]

    static let cheats: [CheatingStrategy] =
        [0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.9, 0.999, 1].map { CheatingStrategy.dropFraction($0) }
        + [.answerFromOthersCopy, .notAnswering, .falseDispute]

    @Test(arguments: economies, [1, 7, 30, 365] as [UInt64])
    func derivedParametersMakeEveryCheatCostMoreThanItSaves(economics: MarketEconomics, term: UInt64) throws {
        let margin = 2.0
        let parameters = try MarketParameters.derived(
            economics: economics, minimumTermPeriods: term, safetyMargin: margin
        )
        for cheat in Self.cheats {
            let check = DeterrenceCheck(cheat, parameters: parameters, economics: economics)
            #expect(check.isDeterred, "\(cheat.name): penalty \(check.expectedPenalty) ≤ saving \(check.expectedSaving)")
            #expect(check.margin >= margin * 0.999, "\(cheat.name): margin \(check.margin) below \(margin)")
        }
    }

    @Test func withoutCollateralOrBondNoCheatIsDeterred() {
        let weak = MarketParameters(
            periodSeconds: 86_400, minimumTermPeriods: 30, collateralPerMille: 0, challengesPerPeriod: 1,
            holdBackPerMille: 0, disputeBondPerMille: 0
        )
        for cheat in Self.cheats {
            #expect(!DeterrenceCheck(cheat, parameters: weak, economics: .reference).isDeterred, "\(cheat.name)")
        }
    }

    @Test func moreChallengesCatchSmallerDrops() throws {
        let coarse = try MarketParameters.derived(economics: .reference, detectableDropFraction: 0.2)
        let fine = try MarketParameters.derived(economics: .reference, detectableDropFraction: 0.01)
        #expect(coarse.challengesPerPeriod == 21)
        #expect(fine.challengesPerPeriod == 459)
        #expect(ChallengeOdds.detection(droppedFraction: 0.05, challenges: 90) >= 0.99)
        #expect(ChallengeOdds.detection(droppedFraction: 0.05, challenges: 89) < 0.99)
    }

    @Test func derivationRefusesAPriceBelowCost() {
        let losing = MarketEconomics(pricePerGiBPerPeriod: 100, storageCostPerGiBPerPeriod: 100, valuePerGiBPerPeriod: 0)
        #expect(throws: MarketParametersError.self) { try MarketParameters.derived(economics: losing) }
        #expect(throws: MarketParametersError.self) {
            try MarketParameters.derived(economics: .reference, safetyMargin: 0.5)
        }
    }

    @Test func contractAmountsRoundTheFeeAndCollateralUp() throws {
        let amounts = try MarketParameters.default.amounts(pricePerGiBPerPeriod: 1_000, storedBytes: 1)
        #expect(amounts.periodFee == 1)
        #expect(amounts.termValue == 30)
        #expect(amounts.collateral == 2)
        let gib = try MarketParameters.default.amounts(pricePerGiBPerPeriod: 1_000, storedBytes: 32 << 30)
        #expect(gib.periodFee == 32_000)
        #expect(gib.collateral == 32_640)
        #expect(gib.collateral >= 2 * 500 * 32)
    }
}
