import Foundation
import HavenIdentity
import HavenMarket
import HavenStore
import Testing

@Suite struct ContractRevisionTests {
    private func signedOpening() throws -> ContractRevision {
        try ContractFixtures.opened().current
    }

    @Test func aFullySignedRevisionParsesBackUnchanged() throws {
        let revision = try signedOpening()
        let parsed = try ContractRevision(parsing: revision.encoded)
        #expect(parsed == revision)
        #expect(parsed.signing == .fullySigned)
        #expect(parsed.shard == revision.shard)
        #expect(parsed.balances == revision.balances)
        #expect(parsed.nonce == ContractFixtures.nonce)
    }

    @Test func oneSignatureMakesARevisionHalfSignedAndNotBinding() throws {
        let offer = try ContractFixtures.offer()
        let unsigned = try ContractRevision.opening(
            offer: offer, consumer: ContractFixtures.consumer.did, nonce: ContractFixtures.nonce,
            shard: try ContractFixtures.shard(byteCount: 4_096), termPeriods: 3)
        #expect(unsigned.signing == .unsigned)
        let half = try unsigned.signed(by: ContractFixtures.consumer)
        #expect(half.signing == .halfSigned(by: .consumer))
        #expect(try ContractRevision(parsing: half.encoded).signing == .halfSigned(by: .consumer))
        #expect(throws: ContractError.notBinding(missing: [.provider])) {
            try Contract.opening(offer: offer, revision: half, at: ContractFixtures.now)
        }
        #expect(try half.signed(by: ContractFixtures.provider).signing == .fullySigned)
    }

    @Test func aStrangerCannotSign() throws {
        #expect(throws: ContractError.notAParty(ContractFixtures.stranger.did)) {
            try signedOpening().signed(by: ContractFixtures.stranger)
        }
    }

    /// Every field of the signed content, each changed to another valid value.
    static let tamperings: [(String, @Sendable (inout [String: Any]) -> Void)] = [
        ("contract", { $0["contract"] = ContentID.hashing([1], codec: .dagJSON).description }),
        ("revision", { $0["revision"] = ($0["revision"] as! Int) + 1 }),
        ("consumer", { $0["consumer"] = ContractFixtures.stranger.did.description }),
        ("provider", { $0["provider"] = ContractFixtures.stranger.did.description }),
        ("offer", { $0["offer"] = ContentID.hashing([1], codec: .dagJSON).description }),
        ("nonce", { $0["nonce"] = Base64URL.encode([UInt8](repeating: 8, count: 16)) }),
        ("term_periods", { $0["term_periods"] = ($0["term_periods"] as! Int) + 1 }),
        ("stored_bytes", { $0["stored_bytes"] = ($0["stored_bytes"] as! Int) - 1 }),
        ("leaf_count", { $0["leaf_count"] = ($0["leaf_count"] as! Int) + 1 }),
        ("root", { $0["root"] = String(repeating: "ab", count: 32) }),
        ("period", { $0["period"] = ($0["period"] as! Int) + 1 }),
        ("status", { $0["status"] = "breached" }),
        ("balances", {
            var balances = $0["balances"] as! [String: Any]
            balances["provider_earned"] = (balances["provider_earned"] as! Int) + 1
            $0["balances"] = balances
        }),
    ]

    @Test func tamperingWithAnyFieldBreaksASignature() throws {
        let revision = try signedOpening()
        let original = try ContractFixtures.object(revision.encoded)
        // Re-encoding the untouched object reproduces the bytes, so only the change is tested.
        #expect(try ContractRevision(parsing: try ContractFixtures.canonical(original)) == revision)
        for (field, tamper) in Self.tamperings {
            var object = original
            tamper(&object)
            let bytes = try ContractFixtures.canonical(object)
            #expect(throws: ContractError.self, "changing \(field) must be refused") { try ContractRevision(parsing: bytes) }
            do {
                _ = try ContractRevision(parsing: bytes)
            } catch {
                #expect(error == .badSignature(.consumer) || error == .badSignature(.provider), "\(field): \(error)")
            }
        }
    }

    @Test func unknownFieldsAndWhitespaceAreNotCanonical() throws {
        let revision = try signedOpening()
        var object = try ContractFixtures.object(revision.encoded)
        object["note"] = "x"
        #expect(throws: ContractError.notCanonical) { try ContractRevision(parsing: try ContractFixtures.canonical(object)) }
        #expect(throws: ContractError.notCanonical) { try ContractRevision(parsing: revision.encoded + Array("\n".utf8)) }
    }

    @Test func anUpperCaseRootIsNotCanonical() throws {
        let offer = try ContractFixtures.offer()
        let unsigned = try ContractRevision.opening(
            offer: offer, consumer: ContractFixtures.consumer.did, nonce: ContractFixtures.nonce,
            shard: try ContractFixtures.shard(byteCount: 4_096), termPeriods: 3)
        var object = try ContractFixtures.object(unsigned.encoded)
        object["root"] = (object["root"] as! String).uppercased()
        #expect(throws: ContractError.self) { try ContractRevision(parsing: try ContractFixtures.canonical(object)) }
    }
}
