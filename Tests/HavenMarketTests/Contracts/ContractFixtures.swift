import Foundation
import HavenIdentity
import HavenLedger
import HavenMarket

/// Keys, an offer and an opened contract with known numbers, shared by the market tests.
enum ContractFixtures {
    static let provider = try! IdentityKey(seed: [UInt8](repeating: 1, count: 32))
    static let consumer = try! IdentityKey(seed: [UInt8](repeating: 2, count: 32))
    static let stranger = try! IdentityKey(seed: [UInt8](repeating: 3, count: 32))
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let nonce = [UInt8](repeating: 7, count: 16)

    /// 1 credit (10^6 micro-credits) per GiB per 30-day period, collateral 150 %, 25 % held back.
    static let terms = OfferTerms(
        capacityBytes: 1 << 40, pricePerGiBPerPeriod: 1_000_000, periodSeconds: 30 * 86_400, minimumTermPeriods: 3,
        collateralPerMille: 1_500, challengesPerPeriod: 10, holdBackPerMille: 250)

    static func offer(_ terms: OfferTerms = terms, expires: Date = now.addingTimeInterval(3_600)) throws -> StorageOffer {
        try StorageOffer(terms: terms, expires: expires, by: provider)
    }

    /// A commitment to a shard of `byteCount` bytes, with a stand-in root.
    static func shard(byteCount: UInt64) throws -> ShardCommitment {
        try ShardCommitment(
            byteCount: byteCount, leafCount: ShardCommitment.leafCount(forByteCount: byteCount),
            root: .leafHash(of: Array("shard".utf8)))
    }

    static func bothSigned(_ revision: ContractRevision) throws -> ContractRevision {
        try revision.signed(by: consumer).signed(by: provider)
    }

    /// A contract storing `byteCount` bytes for `periods` periods, revision 0 signed by both.
    static func opened(byteCount: UInt64 = 3 << 29, periods: UInt64 = 4, terms: OfferTerms = terms) throws -> Contract {
        let offer = try offer(terms)
        let opening = try ContractRevision.opening(
            offer: offer, consumer: consumer.did, nonce: nonce, shard: try shard(byteCount: byteCount), termPeriods: periods)
        return try Contract.opening(offer: offer, revision: try bothSigned(opening), at: now)
    }

    /// `revision` with new balances (and otherwise the same), unsigned.
    static func rebalanced(_ revision: ContractRevision, number: UInt64? = nil, _ balances: ContractBalances) -> ContractRevision {
        ContractRevision(
            contract: revision.contract, number: number ?? revision.number + 1, consumer: revision.consumer,
            provider: revision.provider, offer: revision.offer, nonce: revision.nonce, termPeriods: revision.termPeriods,
            shard: revision.shard, period: revision.period, balances: balances, status: revision.status)
    }

    /// Canonical JSON as the documents write it, from a JSONSerialization object.
    static func canonical(_ object: Any) throws -> [UInt8] {
        [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
    }
}
