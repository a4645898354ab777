import Foundation
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
    /// The record's C2SP `.tlog-proof` in this server's log, when it is there.
    public let proof: String?

    init(_ record: LedgerRecord, logIndex: UInt64?, proof: String? = nil) {
        id = record.id.description
        kind = record.statement.kind
        issuer = record.issuer.description
        self.record = String(decoding: record.encoded, as: UTF8.self)
        self.logIndex = logIndex
        self.proof = proof
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, issuer, record, proof
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

/// Body of `POST /haven/own/mint`.
public struct MintRequest: Codable, Sendable {
    public let path: String
    public let title: String?
    /// The licence the content is offered under: an ODRL policy document (JSON-LD text).
    public let licence: String?

    public init(path: String, title: String?, licence: String?) {
        self.path = path
        self.title = title
        self.licence = licence
    }
}

/// Body of `POST /haven/own/licence`.
public struct LicenceRequestBody: Codable, Sendable {
    public let content: String
    public let to: String
    /// The ODRL policy document (JSON-LD text).
    public let policy: String

    public init(content: String, to: String, policy: String) {
        self.content = content
        self.to = to
        self.policy = policy
    }
}

/// Answer to `POST /haven/own/licence`: the record, and the token for the licensee (shown once).
public struct IssuedLicence: Codable, Sendable, ResponseEncodable {
    public let record: OwnershipRecord
    public let token: String
    public let shareID: String
    public let policyID: String

    enum CodingKeys: String, CodingKey {
        case record, token
        case shareID = "share_id"
        case policyID = "policy_id"
    }
}

/// Body of `POST /haven/own/revoke`.
public struct RevokeLicenceRequest: Codable, Sendable {
    public let record: String

    public init(record: String) {
        self.record = record
    }
}

/// Body of `POST /haven/own/transfer`.
public struct TransferRequest: Codable, Sendable {
    public let content: String
    public let to: String

    public init(content: String, to: String) {
        self.content = content
        self.to = to
    }
}

/// Answer to `POST /haven/own/transfer`: the transfer record, and whether the recipient's
/// server accepted it (or why not).
public struct TransferOutcome: Codable, Sendable, ResponseEncodable {
    public let record: OwnershipRecord
    public let accepted: Bool
    public let refusal: String?
}

/// Body of `POST /haven/witness`.
public struct AddWitnessRequest: Codable, Sendable {
    /// A peer's name, as `haven peer add` knows it.
    public let peer: String

    public init(peer: String) {
        self.peer = peer
    }
}

/// Answer to `POST /haven/witness` and `POST /haven/witness/check`.
public struct WitnessChecks: Codable, Sendable, ResponseEncodable {
    public let checks: [WitnessCheckReport]
}

/// Body of `GET /haven/witness`: what this server witnesses, who witnesses it, and the
/// evidence of split views it holds.
public struct WitnessOverview: Codable, Sendable, ResponseEncodable {
    /// A log witnessed here.
    public struct Witnessed: Codable, Sendable {
        public let origin: String
        public let url: String
        /// The size of the latest checkpoint accepted.
        public let size: UInt64?
        public let checkedAt: Date?

        enum CodingKeys: String, CodingKey {
            case origin, url, size
            case checkedAt = "checked_at"
        }
    }

    /// A witness of this server's log.
    public struct OwnWitness: Codable, Sendable {
        public let name: String
        public let url: String
        public let cosignedSize: UInt64
        public let error: String?

        enum CodingKeys: String, CodingKey {
            case name, url, error
            case cosignedSize = "cosigned_size"
        }
    }

    public let witnessed: [Witnessed]
    public let witnesses: [OwnWitness]
    public let evidence: [SplitViewRow]
}
