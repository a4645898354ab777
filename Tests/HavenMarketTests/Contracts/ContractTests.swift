import Foundation
import HavenIdentity
import HavenMarket
import Testing

@Suite struct ContractTests {
    @Test func revisionZeroFundsTheTermAndPostsTheCollateral() throws {
        // 1.5 GiB at 1 credit/GiB: 1.5 credits a period, 4 periods, collateral 150 %.
        let contract = try ContractFixtures.opened()
        #expect(contract.current.balances == ContractBalances(consumerRemaining: 6_000_000, collateralPosted: 9_000_000))
        #expect(contract.total == 15_000_000)
        #expect(contract.status == .active)
    }

    @Test func revisionZeroMustMatchTheOffer() throws {
        let offer = try ContractFixtures.offer()
        let good = try ContractRevision.opening(
            offer: offer, consumer: ContractFixtures.consumer.did, nonce: ContractFixtures.nonce,
            shard: try ContractFixtures.shard(byteCount: 1 << 30), termPeriods: 3)
        var less = good.balances
        less.collateralPosted -= 1
        let cases: [ContractRevision] = [
            ContractFixtures.rebalanced(good, number: 0, less),
            try ContractRevision.opening(
                offer: offer, consumer: ContractFixtures.consumer.did, nonce: ContractFixtures.nonce,
                shard: try ContractFixtures.shard(byteCount: 1 << 30), termPeriods: 2),
            try ContractRevision.opening(
                offer: offer, consumer: ContractFixtures.consumer.did, nonce: ContractFixtures.nonce,
                shard: try ContractFixtures.shard(byteCount: (1 << 40) + 1), termPeriods: 3),
        ]
        for revision in cases {
            #expect(throws: ContractError.self) {
                try Contract.opening(offer: offer, revision: try ContractFixtures.bothSigned(revision), at: ContractFixtures.now)
            }
        }
        #expect(throws: ContractError.offerExpired(expires: offer.expires)) {
            try Contract.opening(offer: offer, revision: try ContractFixtures.bothSigned(good), at: offer.expires.addingTimeInterval(1))
        }
        let other = try ContractFixtures.offer(expires: ContractFixtures.now.addingTimeInterval(7_200))
        #expect(throws: ContractError.self) {
            try Contract.opening(offer: other, revision: try ContractFixtures.bothSigned(good), at: ContractFixtures.now)
        }
        _ = try Contract.opening(offer: offer, revision: try ContractFixtures.bothSigned(good), at: ContractFixtures.now)
    }

    @Test func aFullTermSettlesAndEndsExactly() throws {
        var contract = try ContractFixtures.opened()
        for _ in 0..<4 {
            contract = try contract.applying(try ContractFixtures.bothSigned(try contract.proposingSettlement()))
        }
        // Each period: 1_500_000 fee, 375_000 held back, 1_125_000 paid.
        #expect(contract.current.balances == ContractBalances(consumerRemaining: 0, providerEarned: 4_500_000, heldBack: 1_500_000, collateralPosted: 9_000_000))
        #expect(throws: ContractError.self) { try contract.proposingSettlement() }
        contract = try contract.applying(try ContractFixtures.bothSigned(try contract.proposingEnd()))
        #expect(contract.status == .ended)
        #expect(contract.current.balances == ContractBalances(consumerRemaining: 0, providerEarned: 6_000_000, heldBack: 0, collateralPosted: 9_000_000))
        #expect(contract.current.number == 5)
    }

    @Test func aBreachedContractSettlesExactly() throws {
        var contract = try ContractFixtures.opened()
        for _ in 0..<2 {
            contract = try contract.applying(try ContractFixtures.bothSigned(try contract.proposingSettlement()))
        }
        #expect(throws: ContractError.invalidPeriod("only 2 of 4 periods are settled; settle them before ending")) {
            try contract.proposingEnd()
        }
        contract = try contract.applying(try ContractFixtures.bothSigned(try contract.proposingBreach()))
        #expect(contract.status == .breached)
        // The consumer gets back the two unsettled periods and the held-back 750_000, and the
        // whole collateral; the provider keeps only what was paid out.
        #expect(contract.current.balances == ContractBalances(consumerRemaining: 3_750_000, providerEarned: 2_250_000, heldBack: 0, collateralPosted: 0, collateralForfeited: 9_000_000))
        #expect(contract.current.balances.total == contract.total)
        #expect(throws: ContractError.contractClosed(.breached)) { try contract.proposingSettlement() }
        let after = ContractFixtures.rebalanced(contract.current, contract.current.balances)
        #expect(throws: ContractError.contractClosed(.breached)) { try contract.applying(try ContractFixtures.bothSigned(after)) }
    }

    @Test func replayedAndOutOfOrderRevisionsAreRefused() throws {
        let opened = try ContractFixtures.opened()
        let first = try ContractFixtures.bothSigned(try opened.proposingSettlement())
        let once = try opened.applying(first)
        let second = try ContractFixtures.bothSigned(try once.proposingSettlement())
        let twice = try once.applying(second)
        #expect(throws: ContractError.staleRevision(current: 2, proposed: 1)) { try twice.applying(first) }
        #expect(throws: ContractError.staleRevision(current: 2, proposed: 2)) { try twice.applying(second) }
        #expect(throws: ContractError.staleRevision(current: 0, proposed: 0)) { try opened.applying(opened.current) }
        // A higher number with the same balances is accepted: numbers may skip, never repeat.
        let skipping = ContractFixtures.rebalanced(twice.current, number: 10, twice.current.balances)
        #expect(try twice.applying(try ContractFixtures.bothSigned(skipping)).current.number == 10)
    }

    @Test func aHalfSignedRevisionDoesNotBind() throws {
        let contract = try ContractFixtures.opened()
        let half = try contract.proposingSettlement().signed(by: ContractFixtures.provider)
        #expect(throws: ContractError.notBinding(missing: [.consumer])) { try contract.applying(half) }
    }

    @Test func creditCannotBeCreatedOrDestroyed() throws {
        let contract = try ContractFixtures.opened()
        var more = contract.current.balances
        more.providerEarned += 1
        var less = contract.current.balances
        less.consumerRemaining -= 1
        var negative = contract.current.balances
        negative.consumerRemaining = -1
        negative.providerEarned = 1 + contract.current.balances.consumerRemaining
        #expect(throws: ContractError.balancesNotConserved(expected: 15_000_000, actual: 15_000_001)) {
            try contract.applying(try ContractFixtures.bothSigned(ContractFixtures.rebalanced(contract.current, more)))
        }
        #expect(throws: ContractError.balancesNotConserved(expected: 15_000_000, actual: 14_999_999)) {
            try contract.applying(try ContractFixtures.bothSigned(ContractFixtures.rebalanced(contract.current, less)))
        }
        #expect(throws: ContractError.negativeBalance("consumer_remaining")) {
            try contract.applying(try ContractFixtures.bothSigned(ContractFixtures.rebalanced(contract.current, negative)))
        }
    }

    @Test(arguments: 1...20)
    func balancesAreConservedAcrossRandomSequences(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var terms = ContractFixtures.terms
        terms.pricePerGiBPerPeriod = Int64.random(in: 0...50_000_000, using: &random)
        terms.collateralPerMille = UInt64.random(in: 0...5_000, using: &random)
        terms.holdBackPerMille = UInt64.random(in: 0...1_000, using: &random)
        terms.minimumTermPeriods = 1
        let periods = UInt64.random(in: 1...24, using: &random)
        let bytes = UInt64.random(in: 1...(1 << 38), using: &random)
        var contract = try ContractFixtures.opened(byteCount: bytes, periods: periods, terms: terms)
        let total = contract.total
        while contract.status == .active {
            let roll = Int.random(in: 0..<20, using: &random)
            let proposal: ContractRevision
            if roll == 0 {
                proposal = try contract.proposingBreach()
            } else if roll == 1 {
                // An agreed transfer between balances: allowed when it conserves, refused when not.
                var moved = contract.current.balances
                let amount = Int64.random(in: 0...moved.consumerRemaining, using: &random)
                moved.consumerRemaining -= amount
                moved.providerEarned += amount
                proposal = ContractFixtures.rebalanced(contract.current, moved)
                var created = moved
                created.heldBack += 1
                #expect(throws: ContractError.self) {
                    try contract.applying(try ContractFixtures.bothSigned(ContractFixtures.rebalanced(contract.current, created)))
                }
            } else if contract.current.period < periods, contract.current.balances.consumerRemaining >= (try contract.periodFee) {
                proposal = try contract.proposingSettlement()
            } else if contract.current.period == periods {
                proposal = try contract.proposingEnd()
            } else {
                // A transfer left too little for the next period: the provider stops, a breach.
                proposal = try contract.proposingBreach()
            }
            contract = try contract.applying(try ContractFixtures.bothSigned(proposal))
            #expect(contract.current.balances.total == total)
            #expect(contract.current.balances.firstNegativeForTests == nil)
        }
    }
}

extension ContractBalances {
    fileprivate var firstNegativeForTests: Int64? {
        [consumerRemaining, providerEarned, heldBack, collateralPosted, collateralForfeited].first { $0 < 0 }
    }
}
