import Foundation
import HavenIdentity
import HavenLedger
import HavenMarket
import Testing

/// A breach binds on the consumer's signature alone, but only with evidence of a failed
/// challenge of this contract's shard.
@Suite struct ContractBreachTests {
    /// A contract over a real shard, and a challenge of it at `sequence`.
    func fixture() throws -> (Contract, ShardTree, StorageChallenge) {
        let tree = try ShardTree(shard: ChallengeFixtures.shard(byteCount: 5 * ShardTree.leafSize, seed: 9))
        let offer = try ContractFixtures.offer()
        let opening = try ContractRevision.opening(
            offer: offer, consumer: ContractFixtures.consumer.did, nonce: ContractFixtures.nonce, shard: tree.commitment,
            termPeriods: 3)
        let contract = try Contract.opening(offer: offer, revision: try ContractFixtures.bothSigned(opening), at: ContractFixtures.now)
        let challenge = try StorageChallenge(
            contract: contract.id, period: 0, sequence: 0, seed: try ChallengeFixtures.checkpoint(size: 7), leafCount: tree.leafCount,
            deadline: ContractFixtures.now + 30)
        return (contract, tree, challenge)
    }

    @Test func aWrongAnswerForfeitsTheCollateralOnTheConsumersSignatureAlone() throws {
        let (contract, tree, challenge) = try fixture()
        let right = try tree.proof(of: Int(challenge.leafIndex))
        var damaged = right.leaf
        damaged[0] ^= 0xFF
        let evidence = try ChallengeEvidence(
            challenge: challenge, root: tree.root, answer: ChallengeAnswer(leafIndex: right.leafIndex, leaf: damaged, path: right.path),
            answeredAt: ContractFixtures.now, by: ContractFixtures.consumer)
        #expect(evidence.outcome == .wrong)
        let breach = try contract.proposingBreach().signed(by: ContractFixtures.consumer)
        #expect(breach.missingSignatures == [.provider])
        let breached = try contract.applyingBreach(breach, evidence: evidence)
        #expect(breached.status == .breached)
        #expect(breached.current.balances.collateralForfeited == contract.current.balances.collateralPosted)
        #expect(breached.current.balances.collateralPosted == 0)
        // Without the evidence path, the half-signed breach is not binding.
        #expect(throws: ContractError.notBinding(missing: [.provider])) { try contract.applying(breach) }
    }

    @Test func aBreachNeedsFailedEvidenceOfThisContractsShard() throws {
        let (contract, tree, challenge) = try fixture()
        let breach = try contract.proposingBreach().signed(by: ContractFixtures.consumer)
        let passed = try ChallengeEvidence(
            challenge: challenge, root: tree.root, answer: try tree.proof(of: Int(challenge.leafIndex)),
            answeredAt: ContractFixtures.now, by: ContractFixtures.consumer)
        #expect(passed.outcome == .passed)
        #expect(throws: ContractError.self) { try contract.applyingBreach(breach, evidence: passed) }

        let missing = try ChallengeEvidence(challenge: challenge, root: tree.root, answer: nil, answeredAt: nil, by: ContractFixtures.consumer)
        // Evidence signed by someone other than the consumer.
        let foreign = try ChallengeEvidence(challenge: challenge, root: tree.root, answer: nil, answeredAt: nil, by: ContractFixtures.stranger)
        #expect(throws: ContractError.self) { try contract.applyingBreach(breach, evidence: foreign) }
        // Evidence against another root.
        let otherRoot = try ChallengeEvidence(
            challenge: challenge, root: .leafHash(of: [1]), answer: nil, answeredAt: nil, by: ContractFixtures.consumer)
        #expect(throws: ContractError.self) { try contract.applyingBreach(breach, evidence: otherRoot) }
        // A breach that takes more than the collateral, or is signed by the provider only.
        var greedy = breach.balances
        greedy.consumerRemaining += 1
        greedy.collateralForfeited -= 1
        let rebalanced = try ContractFixtures.rebalanced(breach, number: breach.number, greedy).signed(by: ContractFixtures.consumer)
        #expect(throws: ContractError.self) { try contract.applyingBreach(rebalanced, evidence: missing) }
        let providerOnly = try contract.proposingBreach().signed(by: ContractFixtures.provider)
        #expect(throws: ContractError.self) { try contract.applyingBreach(providerOnly, evidence: missing) }
        // The same breach with good evidence binds.
        #expect(try contract.applyingBreach(breach, evidence: missing).status == .breached)
    }

    @Test func aStoredContractResumesAsItWas() throws {
        let contract = try ContractFixtures.opened()
        let settled = try contract.applying(try ContractFixtures.bothSigned(try contract.proposingSettlement()))
        let resumed = Contract.resuming(offer: settled.offer, current: settled.current)
        #expect(resumed == settled)
        #expect(try resumed.proposingSettlement() == (try settled.proposingSettlement()))
    }
}
