import Foundation
import HavenIdentity
import HavenLedger
import HavenStore

/// A consumer's signed record of one storage challenge and how it ended, to be put in the
/// ledger: the contract, period and sequence; the checkpoint whose root seeded it; the shard's
/// root and leaf count; the expected index; the answer (or its absence) and when it came; the
/// outcome. Anyone can recheck it: parsing re-derives the index from the seed and re-judges the
/// answer against the root, so a consumer cannot record a failure the provider did not commit.
/// What it cannot show alone is that the checkpoint was witnessed and that the times are true.
///
/// The canonical form is JSON with sorted keys and no whitespace, hashes in lower-case hex, the
/// leaf in base64url, times as `YYYY-MM-DDTHH:MM:SSZ`, and `sig`, the consumer's Ed25519
/// signature in base64url over ``signingDomain`` followed by the same object without `sig`. At
/// most 32 KiB; the id is the CID (dag-json) of the bytes.
public struct ChallengeEvidence: Sendable, Hashable {
    /// The largest accepted encoding: room for a 4 KiB leaf and a path of 64 hashes.
    public static let maximumSize = 32 << 10
    /// Signatures cover this prefix and the unsigned evidence.
    public static let signingDomain = Array("haven-challenge-evidence/v1\n".utf8)

    public let challenge: StorageChallenge
    /// The committed root of the challenged shard.
    public let root: MerkleHash
    public let answer: ChallengeAnswer?
    /// When the answer came, whole seconds; `nil` when none came.
    public let answeredAt: Date?
    public let outcome: ChallengeOutcome
    /// The consumer who issued the challenge and signs the evidence.
    public let consumer: DID
    public let signature: [UInt8]
    /// The canonical bytes, signature included.
    public let encoded: [UInt8]

    /// The evidence's id: CID (dag-json, sha2-256) of its canonical bytes.
    public var id: ContentID { ContentID.hashing(encoded, codec: .dagJSON) }

    /// Judges `answer` and signs the record as `key`'s did:key.
    public init(challenge: StorageChallenge, root: MerkleHash, answer: ChallengeAnswer?, answeredAt: Date?, by key: IdentityKey) throws {
        let answeredAt = answer == nil ? nil : answeredAt.map(CanonicalJSON.wholeSeconds)
        let outcome = ChallengeVerifier.judge(answer, receivedAt: answeredAt, challenge: challenge, root: root)
        var fields = EvidenceFields(challenge, root: root, answer: answer, answeredAt: answeredAt, outcome: outcome, consumer: key.did)
        let signature = [UInt8](try key.signature(for: Self.signingDomain + CanonicalJSON.encode(fields)))
        fields.sig = Base64URL.encode(signature)
        let encoded = CanonicalJSON.encode(fields)
        guard encoded.count <= Self.maximumSize else { throw ChallengeError.tooLarge(byteCount: encoded.count, limit: Self.maximumSize) }
        self.challenge = challenge
        self.root = root
        self.answer = answer
        self.answeredAt = answeredAt
        self.outcome = outcome
        self.consumer = key.did
        self.signature = signature
        self.encoded = encoded
    }

    /// Reads and checks evidence: size, canonical form, signature, and that the expected index
    /// and the outcome are what the seed and the answer give.
    public init(parsing bytes: [UInt8]) throws(ChallengeError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(byteCount: bytes.count, limit: Self.maximumSize) }
        let fields: EvidenceFields
        switch CanonicalJSON.decode(EvidenceFields.self, from: bytes) {
        case .success(let decoded): fields = decoded
        case .failure(.malformed(let reason)): throw .malformed(reason)
        case .failure(.notCanonical): throw .notCanonical
        }
        guard let sig = fields.sig, let signature = Base64URL.decode(sig), signature.count == 64 else {
            throw .malformed("sig must be a base64url Ed25519 signature")
        }
        var unsigned = fields
        unsigned.sig = nil
        guard fields.consumer.publicKey.isValidSignature(signature, for: Self.signingDomain + CanonicalJSON.encode(unsigned)) else {
            throw .badSignature
        }
        guard let seedRoot = Self.hash(fields.checkpointRoot)?.bytes,
            let seed = try? Checkpoint(origin: fields.checkpointOrigin, size: fields.checkpointSize, rootHash: seedRoot)
        else { throw .malformed("checkpoint_origin must be one line and checkpoint_root 64 lower-case hex digits") }
        guard let deadline = CanonicalJSON.parseTime(fields.deadline) else { throw .malformed("deadline must be YYYY-MM-DDTHH:MM:SSZ") }
        guard let root = Self.hash(fields.root) else { throw .malformed("root must be 64 lower-case hex digits") }
        let challenge = try StorageChallenge(
            contract: fields.contract, period: fields.period, sequence: fields.sequence, seed: seed,
            leafCount: fields.leafCount, deadline: deadline)
        guard fields.expectedIndex == challenge.leafIndex else {
            throw .inconsistentEvidence("the seed gives leaf \(challenge.leafIndex), not \(fields.expectedIndex)")
        }
        let answer = try fields.answer.map { wire throws(ChallengeError) in try wire.parsed() }
        let answeredAt: Date?
        switch (answer, fields.answeredAt) {
        case (nil, nil): answeredAt = nil
        case (.some, .some(let text)):
            guard let time = CanonicalJSON.parseTime(text) else { throw .malformed("answered_at must be YYYY-MM-DDTHH:MM:SSZ") }
            answeredAt = time
        default: throw .malformed("answered_at is present exactly when an answer is")
        }
        let judged = ChallengeVerifier.judge(answer, receivedAt: answeredAt, challenge: challenge, root: root)
        guard judged == fields.outcome else {
            throw .inconsistentEvidence("the answer and times give '\(judged.rawValue)', not '\(fields.outcome.rawValue)'")
        }
        self.challenge = challenge
        self.root = root
        self.answer = answer
        self.answeredAt = answeredAt
        self.outcome = judged
        self.consumer = fields.consumer
        self.signature = signature
        self.encoded = bytes
    }

    /// A hash from its only canonical spelling, lower-case hex.
    fileprivate static func hash(_ hex: String) -> MerkleHash? {
        guard let hash = MerkleHash(hex: hex), hash.hex == hex else { return nil }
        return hash
    }

    public static func == (lhs: ChallengeEvidence, rhs: ChallengeEvidence) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }
}

/// The wire form of evidence.
private struct EvidenceFields: Codable {
    var contract: ContractID
    var period: UInt64
    var sequence: UInt64
    var checkpointOrigin: String
    var checkpointSize: UInt64
    var checkpointRoot: String
    var leafCount: UInt64
    var root: String
    var expectedIndex: UInt64
    var deadline: String
    var answer: AnswerFields?
    var answeredAt: String?
    var outcome: ChallengeOutcome
    var consumer: DID
    var sig: String?

    enum CodingKeys: String, CodingKey {
        case contract, period, sequence, root, deadline, answer, outcome, consumer, sig
        case checkpointOrigin = "checkpoint_origin"
        case checkpointSize = "checkpoint_size"
        case checkpointRoot = "checkpoint_root"
        case leafCount = "leaf_count"
        case expectedIndex = "expected_index"
        case answeredAt = "answered_at"
    }

    init(_ challenge: StorageChallenge, root: MerkleHash, answer: ChallengeAnswer?, answeredAt: Date?, outcome: ChallengeOutcome, consumer: DID) {
        contract = challenge.contract
        period = challenge.period
        sequence = challenge.sequence
        checkpointOrigin = challenge.seed.origin
        checkpointSize = challenge.seed.size
        // A checkpoint's root hash is always 32 bytes.
        checkpointRoot = try! MerkleHash(bytes: challenge.seed.rootHash).hex
        leafCount = challenge.leafCount
        self.root = root.hex
        expectedIndex = challenge.leafIndex
        deadline = CanonicalJSON.format(challenge.deadline)
        self.answer = answer.map(AnswerFields.init)
        self.answeredAt = answeredAt.map(CanonicalJSON.format)
        self.outcome = outcome
        self.consumer = consumer
    }
}

/// The wire form of an answer: index, leaf in base64url, path as lower-case hex hashes.
private struct AnswerFields: Codable {
    var index: UInt64
    var leaf: String
    var path: [String]

    init(_ answer: ChallengeAnswer) {
        index = answer.leafIndex
        leaf = Base64URL.encode(answer.leaf)
        path = answer.path.map(\.hex)
    }

    func parsed() throws(ChallengeError) -> ChallengeAnswer {
        guard let bytes = Base64URL.decode(leaf), bytes.count <= ShardTree.leafSize else {
            throw .malformed("answer.leaf must be at most \(ShardTree.leafSize) bytes in base64url")
        }
        var hashes: [MerkleHash] = []
        for hex in path {
            guard let hash = ChallengeEvidence.hash(hex) else { throw .malformed("answer.path must hold 64-digit lower-case hex hashes") }
            hashes.append(hash)
        }
        return ChallengeAnswer(leafIndex: index, leaf: bytes, path: hashes)
    }
}
