import HavenLedger
import Hummingbird

/// Body of `GET /haven/ledger`: the log's origin, the key that verifies its checkpoints (the
/// signed-note `vkey` form) and its size.
public struct LedgerDescription: Codable, Sendable, ResponseEncodable {
    public let origin: String
    public let verifierKey: String
    public let size: UInt64
    /// The latest signed checkpoint, as served at `/ledger/checkpoint`; `nil` while empty.
    public let checkpoint: String?

    public init(origin: String, verifierKey: String, size: UInt64, checkpoint: String?) {
        self.origin = origin
        self.verifierKey = verifierKey
        self.size = size
        self.checkpoint = checkpoint
    }

    enum CodingKeys: String, CodingKey {
        case origin, size, checkpoint
        case verifierKey = "verifier_key"
    }
}

/// A ledger record as the API shows it: its id, kind, the canonical signed JSON, and where it
/// stands in this server's log.
public struct OwnershipRecord: Codable, Sendable, ResponseEncodable {
    public let id: String
    public let kind: String
    public let issuer: String
    /// The record's canonical bytes, as text.
    public let record: String
    public let logIndex: UInt64?

    init(_ record: LedgerRecord, logIndex: UInt64?) {
        id = record.id.description
        kind = record.statement.kind
        issuer = record.issuer.description
        self.record = String(decoding: record.encoded, as: UTF8.self)
        self.logIndex = logIndex
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, issuer, record
        case logIndex = "log_index"
    }
}

/// Body of `GET /haven/own/{cid}`.
public struct OwnershipListing: Codable, Sendable, ResponseEncodable {
    public let content: String
    /// The current owner by the chain of mint and transfers, when it holds.
    public let owner: String?
    public let records: [OwnershipRecord]
}
