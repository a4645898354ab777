import Foundation
import HavenIdentity
import HavenLedger
import HavenStore

/// One numbered state of a two-party storage contract (after Sia's file contract revisions):
/// what is stored, where every micro-credit of the contract is, and whether it is still running.
/// A revision binds only when both the consumer and the provider have signed the same bytes;
/// a later binding revision (a higher ``number``) supersedes every earlier one.
///
/// The canonical form is JSON with sorted keys and no whitespace; `consumer_sig` and
/// `provider_sig` are Ed25519 signatures in base64url over ``signingDomain`` followed by the
/// same object without either signature. Parsing is strict (canonical bytes only, at most
/// 8 KiB) and checks every signature present; a revision with a missing signature parses but
/// reports ``RevisionSigning/halfSigned(by:)`` or ``RevisionSigning/unsigned``.
public struct ContractRevision: Sendable, Hashable {
    /// The largest accepted encoding.
    public static let maximumSize = 8 << 10
    /// Signatures cover this prefix and the unsigned revision, so they cannot be replayed as
    /// signatures of anything else the keys sign.
    public static let signingDomain = Array("haven-storage-contract/v1\n".utf8)
    /// The fewest nonce bytes accepted: enough that two contracts never share an id by chance.
    public static let minimumNonceSize = 16

    public let contract: ContractID
    /// The revision number; each binding revision has a higher one than the last.
    public let number: UInt64
    public let consumer: DID
    public let provider: DID
    /// The id of the ``StorageOffer`` the contract was opened on.
    public let offer: ContentID
    /// The consumer's random nonce that, with the offer and consumer, names the contract.
    public let nonce: [UInt8]
    /// How many periods the contract runs.
    public let termPeriods: UInt64
    /// What is stored: the shard's size, leaf count and Merkle root.
    public let shard: ShardCommitment
    /// How many periods have been settled.
    public let period: UInt64
    public let balances: ContractBalances
    public let status: ContractStatus
    public let consumerSignature: [UInt8]?
    public let providerSignature: [UInt8]?
    /// The canonical bytes, with the signatures present.
    public let encoded: [UInt8]

    /// An unsigned revision with these contents; sign it with ``signed(by:)``.
    public init(
        contract: ContractID, number: UInt64, consumer: DID, provider: DID, offer: ContentID, nonce: [UInt8],
        termPeriods: UInt64, shard: ShardCommitment, period: UInt64, balances: ContractBalances, status: ContractStatus
    ) {
        self.init(
            fields: RevisionFields(
                contract: contract, number: number, consumer: consumer, provider: provider, offer: offer, nonce: nonce,
                termPeriods: termPeriods, shard: shard, period: period, balances: balances, status: status),
            shard: shard, nonce: nonce, consumerSignature: nil, providerSignature: nil)
    }

    /// `shard` and `nonce` are what `fields` spell; they are passed already parsed.
    private init(
        fields: RevisionFields, shard: ShardCommitment, nonce: [UInt8], consumerSignature: [UInt8]?, providerSignature: [UInt8]?
    ) {
        var signed = fields
        signed.consumerSig = consumerSignature.map(Base64URL.encode)
        signed.providerSig = providerSignature.map(Base64URL.encode)
        self.contract = fields.contract
        self.number = fields.revision
        self.consumer = fields.consumer
        self.provider = fields.provider
        self.offer = fields.offer
        self.nonce = nonce
        self.termPeriods = fields.termPeriods
        self.shard = shard
        self.period = fields.period
        self.balances = fields.balances
        self.status = fields.status
        self.consumerSignature = consumerSignature
        self.providerSignature = providerSignature
        self.encoded = CanonicalJSON.encode(signed)
    }

    /// Revision 0 of a new contract on `offer`: the consumer prepays the whole term, the
    /// provider posts the collateral the offer promises. Unsigned.
    public static func opening(
        offer: StorageOffer, consumer: DID, nonce: [UInt8], shard: ShardCommitment, termPeriods: UInt64
    ) throws(ContractError) -> ContractRevision {
        ContractRevision(
            contract: .deriving(offer: offer.id, consumer: consumer, nonce: nonce), number: 0, consumer: consumer,
            provider: offer.provider, offer: offer.id, nonce: nonce, termPeriods: termPeriods, shard: shard, period: 0,
            balances: try ContractSettlement.opening(terms: offer.terms, storedBytes: shard.byteCount, periods: termPeriods),
            status: .active)
    }

    /// Reads and checks a revision: size, canonical form, field domains and every signature
    /// present. It does not check the revision against the contract; ``Contract`` does that.
    public init(parsing bytes: [UInt8]) throws(ContractError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(byteCount: bytes.count, limit: Self.maximumSize) }
        let fields: RevisionFields
        switch CanonicalJSON.decode(RevisionFields.self, from: bytes) {
        case .success(let decoded): fields = decoded
        case .failure(.malformed(let reason)): throw .malformed(reason)
        case .failure(.notCanonical): throw .notCanonical
        }
        func signature(_ text: String?, _ party: ContractParty) throws(ContractError) -> [UInt8]? {
            guard let text else { return nil }
            guard let bytes = Base64URL.decode(text), bytes.count == 64 else {
                throw .malformed("\(party.rawValue)_sig must be a base64url Ed25519 signature")
            }
            return bytes
        }
        let consumerSignature = try signature(fields.consumerSig, .consumer)
        let providerSignature = try signature(fields.providerSig, .provider)
        var unsigned = fields
        unsigned.consumerSig = nil
        unsigned.providerSig = nil
        let message = Self.signingDomain + CanonicalJSON.encode(unsigned)
        if let consumerSignature, !fields.consumer.publicKey.isValidSignature(consumerSignature, for: message) {
            throw .badSignature(.consumer)
        }
        if let providerSignature, !fields.provider.publicKey.isValidSignature(providerSignature, for: message) {
            throw .badSignature(.provider)
        }
        guard let nonce = Base64URL.decode(fields.nonce), nonce.count >= Self.minimumNonceSize else {
            throw .malformed("nonce must be at least \(Self.minimumNonceSize) bytes in base64url")
        }
        guard let shard = fields.shardCommitment else {
            throw .malformed("stored_bytes, leaf_count and root must describe a non-empty shard tree (root in hex, one leaf per 4 KiB)")
        }
        guard fields.contract == .deriving(offer: fields.offer, consumer: fields.consumer, nonce: nonce) else {
            throw .malformed("contract is not the id derived from offer, consumer and nonce")
        }
        self.init(fields: fields, shard: shard, nonce: nonce, consumerSignature: consumerSignature, providerSignature: providerSignature)
    }

    /// The same revision with `key`'s signature added (or replaced); `key` must be one party's.
    public func signed(by key: IdentityKey) throws -> ContractRevision {
        let party: ContractParty
        if key.did == consumer {
            party = .consumer
        } else if key.did == provider {
            party = .provider
        } else {
            throw ContractError.notAParty(key.did)
        }
        let signature = [UInt8](try key.signature(for: signedMessage))
        return ContractRevision(
            fields: unsignedFields, shard: shard, nonce: nonce,
            consumerSignature: party == .consumer ? signature : consumerSignature,
            providerSignature: party == .provider ? signature : providerSignature)
    }

    /// The bytes both parties sign: ``signingDomain`` and the revision without signatures.
    public var signedMessage: [UInt8] {
        Self.signingDomain + CanonicalJSON.encode(unsignedFields)
    }

    /// Who has signed so far.
    public var signing: RevisionSigning {
        switch (consumerSignature, providerSignature) {
        case (nil, nil): .unsigned
        case (.some, nil): .halfSigned(by: .consumer)
        case (nil, .some): .halfSigned(by: .provider)
        case (.some, .some): .fullySigned
        }
    }

    /// The parties whose signatures are missing; empty when the revision binds.
    public var missingSignatures: [ContractParty] {
        (consumerSignature == nil ? [.consumer] : []) + (providerSignature == nil ? [.provider] : [])
    }

    /// The revision's id: CID (dag-json, sha2-256) of its canonical bytes as they stand.
    public var id: ContentID { ContentID.hashing(encoded, codec: .dagJSON) }

    private var unsignedFields: RevisionFields {
        RevisionFields(
            contract: contract, number: number, consumer: consumer, provider: provider, offer: offer, nonce: nonce,
            termPeriods: termPeriods, shard: shard, period: period, balances: balances, status: status)
    }

    public static func == (lhs: ContractRevision, rhs: ContractRevision) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }
}

/// The wire form of a revision.
private struct RevisionFields: Codable {
    var contract: ContractID
    var revision: UInt64
    var consumer: DID
    var provider: DID
    var offer: ContentID
    var nonce: String
    var termPeriods: UInt64
    var storedBytes: UInt64
    var leafCount: UInt64
    var root: String
    var period: UInt64
    var balances: ContractBalances
    var status: ContractStatus
    var consumerSig: String?
    var providerSig: String?

    enum CodingKeys: String, CodingKey {
        case contract, revision, consumer, provider, offer, nonce, period, balances, status, root
        case termPeriods = "term_periods"
        case storedBytes = "stored_bytes"
        case leafCount = "leaf_count"
        case consumerSig = "consumer_sig"
        case providerSig = "provider_sig"
    }

    init(
        contract: ContractID, number: UInt64, consumer: DID, provider: DID, offer: ContentID, nonce: [UInt8],
        termPeriods: UInt64, shard: ShardCommitment, period: UInt64, balances: ContractBalances, status: ContractStatus
    ) {
        self.contract = contract
        self.revision = number
        self.consumer = consumer
        self.provider = provider
        self.offer = offer
        self.nonce = Base64URL.encode(nonce)
        self.termPeriods = termPeriods
        self.storedBytes = shard.byteCount
        self.leafCount = shard.leafCount
        self.root = shard.root.hex
        self.period = period
        self.balances = balances
        self.status = status
    }

    /// The shard commitment the fields describe, or `nil` when they are inconsistent. The root
    /// must be lower-case hex, its only canonical spelling.
    var shardCommitment: ShardCommitment? {
        guard let hash = MerkleHash(hex: root), hash.hex == root else { return nil }
        return try? ShardCommitment(byteCount: storedBytes, leafCount: leafCount, root: hash)
    }
}
