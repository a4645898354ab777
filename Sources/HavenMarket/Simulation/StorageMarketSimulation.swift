/// A seeded, deterministic simulation of the Datamall: providers and consumers play storage
/// contracts period by period under ``MarketParameters``, settled with the same
/// ``PeriodSettlement`` and ``TermSettlement`` the server uses, and each strategy's average
/// payoff per period is reported.
///
/// Payoffs, in micro-credits per participant per period:
/// - provider: payments received (paid now, released hold-backs, bonds won) − storage cost
///   actually spent − collateral forfeited;
/// - consumer: value of the data actually kept − payments made (fees less refunds) + collateral
///   and hold-backs received − bonds lost.
/// Transfers cancel out, so the payoffs plus the hold-backs still in escrow always equal the
/// real surplus (value − storage cost), exactly; ``SimulationReport`` carries both.
public struct StorageMarketSimulation: Sendable {
    /// What is played.
    public let configuration: SimulationConfiguration

    public init(_ configuration: SimulationConfiguration) throws(SimulationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Plays the market once; the same seed always gives the same report.
    public func run(seed: UInt64) throws(SimulationError) -> SimulationReport {
        do throws(MarketParametersError) {
            var market = Market(configuration: configuration, seed: seed)
            for _ in 0..<configuration.periods {
                try market.playPeriod()
            }
            return market.report(seed: seed)
        } catch {
            throw .settlement(error)
        }
    }

    /// Plays the market once per seed.
    public func run(seeds: some Sequence<UInt64>) throws(SimulationError) -> [SimulationReport] {
        var reports: [SimulationReport] = []
        for seed in seeds {
            reports.append(try run(seed: seed))
        }
        return reports
    }
}

/// One contract in force: who, how much, and how far into its term.
private struct SimulatedContract {
    let consumer: Int
    let provider: Int
    let amounts: ContractAmounts
    /// The provider's real storage cost per period, after what it drops.
    let storageCost: Int64
    /// The data's value to the consumer per period, after what the provider drops.
    let value: Int64
    var periodsElapsed: UInt64 = 0
    var heldBack: Int64 = 0
}

/// The mutable state of one simulation run.
private struct Market {
    let configuration: SimulationConfiguration
    var random: SplitMix64
    /// Each consumer's data size, in GiB, drawn once.
    let storedGiB: [UInt64]
    /// Contract slots; slot `s` belongs to provider `s / slotsPerProvider`.
    var slots: [SimulatedContract?]
    var waitingConsumers: [Int]
    var providerPayoff: [Int64]
    var consumerPayoff: [Int64]
    var surplus: Int64 = 0
    var breaches = 0
    var bondsLost = 0

    init(configuration: SimulationConfiguration, seed: UInt64) {
        self.configuration = configuration
        var random = SplitMix64(seed: seed)
        let range = configuration.storedGiB
        let span = Int(range.upperBound - range.lowerBound) + 1
        // One size per group of consecutive consumers, one of each strategy, so every consumer
        // strategy stores the same sizes (common random numbers: less noise between strategies).
        let group = configuration.consumerStrategies.count
        let groupSizes = (0..<(configuration.consumerCount + group - 1) / group).map { _ in
            range.lowerBound + UInt64(random.nextIndex(below: span))
        }
        storedGiB = (0..<configuration.consumerCount).map { groupSizes[$0 / group] }
        self.random = random
        slots = Array(repeating: nil, count: configuration.providerCount * configuration.slotsPerProvider)
        waitingConsumers = Array(0..<configuration.consumerCount)
        providerPayoff = Array(repeating: 0, count: configuration.providerCount)
        consumerPayoff = Array(repeating: 0, count: configuration.consumerCount)
    }

    func providerStrategy(_ provider: Int) -> ProviderStrategy {
        configuration.providerStrategies[provider % configuration.providerStrategies.count]
    }

    func consumerStrategy(_ consumer: Int) -> ConsumerStrategy {
        configuration.consumerStrategies[consumer % configuration.consumerStrategies.count]
    }

    mutating func playPeriod() throws(MarketParametersError) {
        try matchWaitingConsumers()
        for slot in slots.indices {
            guard var contract = slots[slot] else { continue }
            let ended = try play(&contract)
            slots[slot] = ended ? nil : contract
            if ended { waitingConsumers.append(contract.consumer) }
        }
    }

    /// Fills free slots with waiting consumers in random order.
    private mutating func matchWaitingConsumers() throws(MarketParametersError) {
        random.shuffle(&waitingConsumers)
        var waiting = waitingConsumers[...]
        let economics = configuration.economics
        for slot in slots.indices where slots[slot] == nil {
            guard let consumer = waiting.popFirst() else { break }
            let provider = slot / configuration.slotsPerProvider
            let gib = storedGiB[consumer]
            let amounts = try configuration.parameters.amounts(
                pricePerGiBPerPeriod: economics.pricePerGiBPerPeriod, storedBytes: gib * ContractAmounts.bytesPerGiB
            )
            let kept = 1 - providerStrategy(provider).droppedFraction
            slots[slot] = SimulatedContract(
                consumer: consumer, provider: provider, amounts: amounts,
                storageCost: Self.scaled(economics.storageCostPerGiBPerPeriod, gib: gib, by: kept),
                value: Self.scaled(economics.valuePerGiBPerPeriod, gib: gib, by: kept)
            )
        }
        waitingConsumers = Array(waiting)
    }

    /// Plays one period of `contract`; returns whether the contract ended.
    private mutating func play(_ contract: inout SimulatedContract) throws(MarketParametersError) -> Bool {
        let provider = contract.provider
        let consumer = contract.consumer
        let strategy = providerStrategy(provider)
        let parameters = configuration.parameters

        providerPayoff[provider] -= contract.storageCost
        consumerPayoff[consumer] += contract.value
        surplus += contract.value - contract.storageCost

        var passed = random.nextUnit() < strategy.passProbability(challenges: parameters.challengesPerPeriod)
        if passed, consumerStrategy(consumer) == .falseDisputer {
            if random.nextUnit() < strategy.passProbability(challenges: 1) {
                consumerPayoff[consumer] -= contract.amounts.disputeBond
                providerPayoff[provider] += contract.amounts.disputeBond
                bondsLost += 1
            } else {
                passed = false
            }
        }

        let period = try PeriodSettlement(
            fee: contract.amounts.periodFee, holdBackPerMille: parameters.holdBackPerMille,
            collateral: contract.amounts.collateral, challengesPassed: passed
        )
        providerPayoff[provider] += period.paidNow - period.collateralForfeited
        consumerPayoff[consumer] -= period.paidNow + period.heldBack - period.collateralForfeited
        contract.heldBack = try TermSettlement.accumulating(contract.heldBack, period)
        contract.periodsElapsed += 1

        let ending: TermSettlement.Ending
        if !passed {
            ending = .breached
            breaches += 1
        } else if contract.periodsElapsed >= parameters.minimumTermPeriods {
            ending = .completed
        } else {
            return false
        }
        let term = try TermSettlement(heldBack: contract.heldBack, collateral: contract.amounts.collateral, ending: ending)
        providerPayoff[provider] += term.releasedToProvider
        consumerPayoff[consumer] += term.refundedToConsumer
        return true
    }

    func report(seed: UInt64) -> SimulationReport {
        let periods = Double(configuration.periods)
        let providers = configuration.providerStrategies.enumerated().map { index, strategy in
            let members = (0..<configuration.providerCount).filter { $0 % configuration.providerStrategies.count == index }
            let total = members.reduce(Int64(0)) { $0 + providerPayoff[$1] }
            return StrategyPayoff(
                role: .provider, strategy: strategy.name, participants: members.count, totalPayoff: total,
                payoffPerPeriod: Double(total) / (Double(members.count) * periods)
            )
        }
        let consumers = configuration.consumerStrategies.enumerated().map { index, strategy in
            let members = (0..<configuration.consumerCount).filter { $0 % configuration.consumerStrategies.count == index }
            let total = members.reduce(Int64(0)) { $0 + consumerPayoff[$1] }
            return StrategyPayoff(
                role: .consumer, strategy: strategy.name, participants: members.count, totalPayoff: total,
                payoffPerPeriod: Double(total) / (Double(members.count) * periods)
            )
        }
        return SimulationReport(
            seed: seed, periods: configuration.periods, providers: providers, consumers: consumers,
            surplus: surplus, escrowOutstanding: slots.reduce(Int64(0)) { $0 + ($1?.heldBack ?? 0) },
            breaches: breaches, bondsLost: bondsLost
        )
    }

    /// `perGiB × gib × share`, rounded to the nearest micro-credit.
    private static func scaled(_ perGiB: Int64, gib: UInt64, by share: Double) -> Int64 {
        Int64((Double(perGiB) * Double(gib) * share).rounded())
    }
}
