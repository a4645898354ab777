import ArgumentParser
import Foundation
import HavenMarket

/// `haven-sim`: plays the Datamall's storage market under the derived (or overridden)
/// parameters across one or more seeds, prints each strategy's payoff per period, and writes
/// the per-seed results as CSV and a chart of them as SVG.
@main
struct HavenSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "haven-sim",
        abstract: "Simulate the Datamall storage market and compare strategies' payoffs."
    )

    @Option(help: "The first seed.")
    var seed: UInt64 = 1

    @Option(help: "How many seeds to run, from --seed upwards.")
    var seeds: Int = 1

    @Option(help: "Periods per run.")
    var periods: Int = 120

    @Option(help: "Number of providers.")
    var providers: Int = 12

    @Option(help: "Number of consumers (a multiple of --providers).")
    var consumers: Int = 48

    @Option(help: "Price per GiB per period, in micro-credits.")
    var price: Int64 = MarketEconomics.reference.pricePerGiBPerPeriod

    @Option(help: "Provider's storage cost per GiB per period, in micro-credits.")
    var cost: Int64 = MarketEconomics.reference.storageCostPerGiBPerPeriod

    @Option(help: "Value to the consumer per GiB per period, in micro-credits.")
    var value: Int64 = MarketEconomics.reference.valuePerGiBPerPeriod

    @Option(help: "Override the derived collateral (per-mille of the term's value).")
    var collateralPerMille: UInt64?

    @Option(help: "Override the derived challenges per period.")
    var challenges: UInt64?

    @Option(help: "Override the derived hold-back share (per-mille).")
    var holdBackPerMille: UInt64?

    @Option(help: "Override the derived dispute bond (per-mille of the term's value).")
    var bondPerMille: UInt64?

    @Option(help: "Write per-seed payoffs as CSV to this file.")
    var csv: String?

    @Option(help: "Write a chart of the payoffs as SVG to this file.")
    var svg: String?

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard seed <= UInt64.max - UInt64(seeds - 1) else { throw ValidationError("--seed + --seeds overflows") }
    }

    func run() throws {
        let economics = MarketEconomics(
            pricePerGiBPerPeriod: price, storageCostPerGiBPerPeriod: cost, valuePerGiBPerPeriod: value
        )
        var parameters: MarketParameters
        do {
            parameters = try MarketParameters.derived(economics: economics)
        } catch {
            throw ValidationError("cannot derive parameters: \(error)")
        }
        if let collateralPerMille { parameters.collateralPerMille = collateralPerMille }
        if let challenges { parameters.challengesPerPeriod = challenges }
        if let holdBackPerMille { parameters.holdBackPerMille = holdBackPerMille }
        if let bondPerMille { parameters.disputeBondPerMille = bondPerMille }

        let configuration = SimulationConfiguration(
            parameters: parameters, economics: economics, providerCount: providers,
            consumerCount: consumers, periods: periods
        )
        let reports: [SimulationReport]
        do {
            let simulation = try StorageMarketSimulation(configuration)
            reports = try simulation.run(seeds: seed..<(seed + UInt64(seeds)))
        } catch {
            throw ValidationError("cannot simulate: \(error)")
        }
        let summaries = PayoffSummary.summarizing(reports)

        print(PayoffTable.render(parameters: parameters, economics: economics, summaries: summaries, runs: reports.count))
        if let csv {
            try PayoffCSV.render(reports).write(toFile: csv, atomically: true, encoding: .utf8)
            print("wrote \(csv)")
        }
        if let svg {
            let chart = PayoffChart(
                summaries: summaries, runs: reports.count, parameters: parameters, periods: periods
            )
            try chart.render().write(toFile: svg, atomically: true, encoding: .utf8)
            print("wrote \(svg)")
        }
    }
}
