import Foundation
import HavenLedger
import HavenMarket
import Logging
import ServiceLifecycle

/// The consumer's side of every active storage contract, run every `interval` until the server
/// shuts down: at the start of each period it logs the period and draws the period's challenge
/// times and leaves from the resulting checkpoint (``ChallengeSchedule``, ``StorageChallenge``);
/// it runs each challenge when its time comes; a failed one closes the contract on its evidence
/// (the collateral comes to this side) and the shard is rebuilt and placed elsewhere; a period
/// whose challenges all passed is settled once it ends, and the last one ends the contract.
actor ChallengeLoop: Service {
    let market: StorageMarket
    let interval: Duration
    let logger: Logger
    private var plans: [ContractID: PeriodPlan] = [:]

    /// One period's challenges for one contract, and how far they have run.
    struct PeriodPlan {
        let period: UInt64
        let seed: Checkpoint
        let moments: [(sequence: UInt64, at: Date)]
        var next = 0
    }

    init(market: StorageMarket, interval: Duration = .seconds(1), logger: Logger = Logger(label: "haven.market")) {
        self.market = market
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        // Ends quietly at graceful shutdown: the sleep is cancelled, and so is the loop.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.tick(now: Date())
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// One pass over the active contracts this server consumes.
    func tick(now: Date) async {
        let contracts: [StoredContract]
        do {
            contracts = try market.catalog.storedContracts(role: .consumer).filter { $0.contract.status == .active }
        } catch {
            logger.error("cannot read the storage contracts", metadata: ["error": "\(error)"])
            return
        }
        for stored in contracts {
            do {
                try await step(stored, now: now)
            } catch {
                logger.warning("storage contract step failed", metadata: ["contract": "\(stored.id)", "error": "\(error)"])
            }
        }
        let active = Set(contracts.map(\.id))
        plans = plans.filter { active.contains($0.key) }
    }

    private func step(_ stored: StoredContract, now: Date) async throws {
        let current = stored.contract.current
        let terms = stored.contract.offer.terms
        guard current.period < current.termPeriods else {
            // Every period is settled but the end was not agreed yet: agree it now.
            _ = try await market.agree(stored, on: try stored.contract.proposingEnd())
            return
        }
        let period = current.period
        let start = stored.openedAt + Double(period * terms.periodSeconds)
        let end = start + Double(terms.periodSeconds)
        var plan: PeriodPlan
        if let known = plans[stored.id], known.period == period {
            plan = known
        } else {
            let seed = try await market.seedPeriod(stored, period: period)
            let moments = ChallengeSchedule.moments(
                contract: stored.id, period: period, periodStart: start, periodSeconds: terms.periodSeconds,
                answerWindow: StorageMarket.answerWindow(periodSeconds: terms.periodSeconds),
                count: terms.challengesPerPeriod, checkpointRoot: seed.rootHash)
            plan = PeriodPlan(period: period, seed: seed, moments: moments)
        }
        while plan.next < plan.moments.count, plan.moments[plan.next].at <= now {
            let record = try await market.challenge(
                stored, period: period, sequence: plan.moments[plan.next].sequence, seed: plan.seed)
            plan.next += 1
            plans[stored.id] = plan
            if let evidence = record.evidence {
                plans[stored.id] = nil
                try await market.breach(stored, evidence: evidence)
                do {
                    _ = try await market.repair(stored)
                } catch {
                    market.audit(
                        market.owner.did.description, "backup.repair", stored.backup ?? stored.id.description, allowed: false,
                        "shard \(stored.shardIndex ?? -1) could not be repaired: \(StorageMarket.describe(error))")
                }
                return
            }
        }
        plans[stored.id] = plan
        if now >= end, plan.next == plan.moments.count {
            plans[stored.id] = nil
            _ = try await market.settle(stored)
        }
    }
}
