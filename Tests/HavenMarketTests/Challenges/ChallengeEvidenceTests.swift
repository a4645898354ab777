import Foundation
import HavenIdentity
import HavenLedger
import HavenMarket
import Testing

@Suite struct ChallengeEvidenceTests {
    private let tree = try! ShardTree(shard: ChallengeFixtures.shard(byteCount: 30 * 4_096 + 1, seed: 12))

    private func evidence(answer: ChallengeAnswer?, at time: Date?) throws -> ChallengeEvidence {
        let challenge = try ChallengeFixtures.challenge(leafCount: tree.leafCount, sequence: 3)
        return try ChallengeEvidence(challenge: challenge, root: tree.root, answer: answer, answeredAt: time, by: ContractFixtures.consumer)
    }

    @Test func evidenceOfEveryOutcomeParsesBack() throws {
        let challenge = try ChallengeFixtures.challenge(leafCount: tree.leafCount, sequence: 3)
        let right = try tree.proof(of: Int(challenge.leafIndex))
        let wrong = try tree.proof(of: Int((challenge.leafIndex + 1) % tree.leafCount))
        let cases: [(ChallengeAnswer?, Date?, ChallengeOutcome)] = [
            (right, challenge.deadline, .passed), (wrong, challenge.deadline, .wrong), (nil, nil, .missing),
            (right, challenge.deadline.addingTimeInterval(60), .late),
        ]
        for (answer, time, outcome) in cases {
            let evidence = try evidence(answer: answer, at: time)
            #expect(evidence.outcome == outcome)
            let parsed = try ChallengeEvidence(parsing: evidence.encoded)
            #expect(parsed == evidence)
            #expect(parsed.challenge == challenge)
            #expect(parsed.answer == answer)
            #expect(parsed.outcome == outcome)
            #expect(parsed.consumer == ContractFixtures.consumer.did)
        }
    }

    @Test func tamperedEvidenceIsRefused() throws {
        let evidence = try evidence(answer: nil, at: nil)
        var object = try ContractFixtures.object(evidence.encoded)
        #expect(try ChallengeEvidence(parsing: try ContractFixtures.canonical(object)) == evidence)
        object["outcome"] = "passed"
        #expect(throws: ChallengeError.badSignature) { try ChallengeEvidence(parsing: try ContractFixtures.canonical(object)) }
    }

    @Test func aSignedClaimTheContentsDoNotSupportIsRefused() throws {
        let challenge = try ChallengeFixtures.challenge(leafCount: tree.leafCount, sequence: 3)
        let right = try tree.proof(of: Int(challenge.leafIndex))
        let evidence = try evidence(answer: right, at: challenge.deadline)
        // A consumer re-signs an honest answer as "wrong", or points at another leaf.
        for (key, value) in [("outcome", "wrong" as Any), ("expected_index", Int((challenge.leafIndex + 1) % tree.leafCount) as Any)] {
            var object = try ContractFixtures.object(evidence.encoded)
            object[key] = value
            object["sig"] = nil
            let message = ChallengeEvidence.signingDomain + (try ContractFixtures.canonical(object))
            object["sig"] = Base64URL.encode(try ContractFixtures.consumer.signature(for: message))
            let bytes = try ContractFixtures.canonical(object)
            #expect(throws: ChallengeError.self) { try ChallengeEvidence(parsing: bytes) }
            do {
                _ = try ChallengeEvidence(parsing: bytes)
            } catch {
                guard case .inconsistentEvidence = error else { Issue.record("\(key): \(error)"); continue }
            }
        }
    }

    @Test func evidenceIsNamedByItsBytes() throws {
        let evidence = try evidence(answer: nil, at: nil)
        #expect(evidence.id == (try ChallengeEvidence(parsing: evidence.encoded)).id)
        #expect(evidence.encoded.count <= ChallengeEvidence.maximumSize)
    }
}
