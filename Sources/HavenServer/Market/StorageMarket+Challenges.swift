import Foundation
import HavenLedger
import HavenMarket
import Hummingbird

extension StorageMarket {
    /// The longest a provider has to answer a challenge, for a period of `periodSeconds`: a
    /// tenth of the period, between 2 and 60 seconds.
    static func answerWindow(periodSeconds: UInt64) -> UInt64 {
        min(60, max(2, periodSeconds / 10))
    }

    /// Starts a period's challenges: logs the period's start and returns the checkpoint that
    /// includes it, whose root seeds the period's challenge times and leaves. The checkpoint is
    /// fresh (it commits to an entry made just now) and the witnesses are told of it.
    func seedPeriod(_ stored: StoredContract, period: UInt64) async throws -> Checkpoint {
        let index = try await log(.period(contract: stored.id, period: period))
        guard let note = await environment.ledger.checkpoint, let checkpoint = try? Checkpoint(parsing: note.text),
            checkpoint.size > index
        else {
            throw APIError(.internalServerError, code: "ledger_unavailable", message: "the ledger has no checkpoint covering entry \(index)")
        }
        return checkpoint
    }

    /// Runs one challenge against the provider of `stored` and keeps the outcome; a failure's
    /// evidence is signed and logged, and the returned record carries it.
    func challenge(_ stored: StoredContract, period: UInt64, sequence: UInt64, seed: Checkpoint) async throws -> ChallengeRecord {
        let shard = stored.contract.current.shard
        let window = Self.answerWindow(periodSeconds: stored.contract.offer.terms.periodSeconds)
        let challenge = try StorageChallenge(
            contract: stored.id, period: period, sequence: sequence, seed: seed, leafCount: shard.leafCount,
            deadline: Date() + Double(window))
        let message = ChallengeMessage(
            period: period, sequence: sequence, leafIndex: challenge.leafIndex, checkpointOrigin: seed.origin,
            checkpointSize: seed.size, checkpointRoot: seed.rootHash.map { String(format: "%02x", $0) }.joined(),
            deadline: challenge.deadline)
        var answer: ChallengeAnswer?
        var receivedAt: Date?
        do {
            let reply = try await client(for: stored.peer).send(
                .POST, "/exchange/v1/market/contracts/\(stored.id)/challenge", body: try Self.encode(message),
                timeout: .seconds(Int64(window) + 1)
            ).decode(ChallengeReply.self)
            receivedAt = Date()
            answer = Self.parse(reply)
        } catch {
            // No answer, or one that is not an answer: judged as missing below.
        }
        let outcome = ChallengeVerifier.judge(answer, receivedAt: receivedAt, challenge: challenge, root: shard.root)
        var evidence: ChallengeEvidence?
        if outcome != .passed {
            evidence = try ChallengeEvidence(
                challenge: challenge, root: shard.root, answer: answer, answeredAt: receivedAt, by: owner)
        }
        let record = ChallengeRecord(
            contract: stored.id, period: period, sequence: sequence, leafIndex: challenge.leafIndex, outcome: outcome,
            at: Date(), evidence: evidence)
        try catalog.saveChallenge(record)
        if let evidence {
            let index = try await log(.evidence(contract: stored.id, evidence: evidence.id, outcome: outcome))
            try catalog.setChallengeLogIndex(index, contract: stored.id, period: period, sequence: sequence)
            audit(
                owner.did.description, "challenge", stored.id.description, allowed: false,
                "leaf \(challenge.leafIndex): \(outcome.rawValue); evidence \(evidence.id) logged at \(index)")
        }
        return record
    }

    /// A reply as an answer, or `nil` when it is not well formed (a leaf larger than a leaf, a
    /// path longer than any tree, hashes that are not hashes).
    static func parse(_ reply: ChallengeReply) -> ChallengeAnswer? {
        guard reply.leaf.utf8.count <= 2 * ShardTree.leafSize, let leaf = Data(base64Encoded: reply.leaf),
            leaf.count <= ShardTree.leafSize, reply.path.count <= 64
        else { return nil }
        var path: [MerkleHash] = []
        for text in reply.path {
            guard let hash = MerkleHash(hex: text) else { return nil }
            path.append(hash)
        }
        return ChallengeAnswer(leafIndex: reply.index, leaf: [UInt8](leaf), path: path)
    }
}
