import HavenMarket
import Testing

@Suite("StorageMarketSimulation")
struct StorageMarketSimulationTests {
    /// Small enough that 100 seeds run in a few seconds in a debug build.
    static func configuration(parameters: MarketParameters = .default) -> SimulationConfiguration {
        SimulationConfiguration(parameters: parameters, providerCount: 24, consumerCount: 48, periods: 180)
    }

    static let seeds: Range<UInt64> = 0..<100

    @Test func honestPlayDominatesForEverySeed() throws {
        let reports = try StorageMarketSimulation(Self.configuration()).run(seeds: Self.seeds)
        for report in reports {
            let honest = try #require(report.payoffPerPeriod(of: ProviderStrategy.honest))
            #expect(honest > 0, "seed \(report.seed): an honest provider loses money")
            for strategy in ProviderStrategy.standardSet where strategy != .honest {
                let cheat = try #require(report.payoffPerPeriod(of: strategy))
                #expect(honest > cheat, "seed \(report.seed): \(strategy.name) earns \(cheat) ≥ honest \(honest)")
            }
            let honestConsumer = try #require(report.payoffPerPeriod(of: ConsumerStrategy.honest))
            let disputer = try #require(report.payoffPerPeriod(of: ConsumerStrategy.falseDisputer))
            #expect(honestConsumer > disputer, "seed \(report.seed): false disputing pays \(disputer) ≥ \(honestConsumer)")
        }
    }

    @Test func noCreditIsCreatedOrLost() throws {
        let reports = try StorageMarketSimulation(Self.configuration()).run(seeds: 0..<20)
        for report in reports {
            #expect(report.isConserved, "seed \(report.seed)")
            #expect(report.breaches > 0)
            #expect(report.bondsLost > 0)
        }
    }

    @Test func aSeedReplaysExactly() throws {
        let simulation = try StorageMarketSimulation(Self.configuration())
        #expect(try simulation.run(seed: 3) == simulation.run(seed: 3))
        #expect(try simulation.run(seed: 3) != simulation.run(seed: 4))
    }

    @Test func withoutCollateralHoldBackOrChallengesCheatingWins() throws {
        let weak = MarketParameters(
            periodSeconds: 86_400, minimumTermPeriods: 30, collateralPerMille: 0, challengesPerPeriod: 0,
            holdBackPerMille: 0, disputeBondPerMille: 0
        )
        var configuration = Self.configuration(parameters: weak)
        configuration.consumerStrategies = [.honest]
        let reports = try StorageMarketSimulation(configuration).run(seeds: Self.seeds)
        for report in reports {
            let honest = try #require(report.payoffPerPeriod(of: ProviderStrategy.honest))
            let best = try #require(report.providers.map(\.payoffPerPeriod).max())
            #expect(best > honest, "seed \(report.seed): no cheat beats honest play under weak parameters")
        }
    }

    @Test func withoutABondDisputingBlindlyPays() throws {
        var weak = MarketParameters.default
        weak.challengesPerPeriod = 0
        weak.disputeBondPerMille = 0
        let reports = try StorageMarketSimulation(Self.configuration(parameters: weak)).run(seeds: Self.seeds)
        for report in reports {
            let honest = try #require(report.payoffPerPeriod(of: ConsumerStrategy.honest))
            let disputer = try #require(report.payoffPerPeriod(of: ConsumerStrategy.falseDisputer))
            #expect(disputer > honest, "seed \(report.seed)")
        }
    }

    @Test func inconsistentConfigurationsAreRefused() {
        var configuration = Self.configuration()
        configuration.consumerCount = 25
        #expect(throws: SimulationError.self) { try StorageMarketSimulation(configuration) }
        configuration = Self.configuration()
        configuration.providerStrategies = [.honest, .honest]
        #expect(throws: SimulationError.self) { try StorageMarketSimulation(configuration) }
        configuration = Self.configuration()
        configuration.providerStrategies = [.dropFraction(0)]
        #expect(throws: SimulationError.self) { try StorageMarketSimulation(configuration) }
    }
}
