import Foundation
import HavenMarket
import Hummingbird

// MARK: Owner API

/// Body of `POST /haven/backups`: back up the folder at `path` K-of-N with providers among the
/// known peers' open offers.
public struct CreateBackupRequest: Codable, Sendable {
    public let path: String
    /// K: how many shards are enough to restore.
    public let dataShards: Int
    /// N: how many shards (one contract, with one provider, each).
    public let totalShards: Int
    /// Periods each contract runs; each offer's minimum when absent.
    public let termPeriods: UInt64?
    /// The highest price per GiB per period accepted (micro-credits).
    public let maximumPrice: Int64?

    public init(path: String, dataShards: Int, totalShards: Int, termPeriods: UInt64? = nil, maximumPrice: Int64? = nil) {
        self.path = path
        self.dataShards = dataShards
        self.totalShards = totalShards
        self.termPeriods = termPeriods
        self.maximumPrice = maximumPrice
    }

    enum CodingKeys: String, CodingKey {
        case path
        case dataShards = "data_shards"
        case totalShards = "total_shards"
        case termPeriods = "term_periods"
        case maximumPrice = "maximum_price"
    }
}

/// One shard of a backup and the contract that stores it.
public struct BackupShardView: Codable, Sendable {
    public let index: Int
    public let contract: String
    public let provider: String
    /// The provider's peer name here, when it is a known peer.
    public let peer: String?
    public let status: String
    public let storedBytes: UInt64

    public init(index: Int, contract: String, provider: String, peer: String?, status: String, storedBytes: UInt64) {
        self.index = index
        self.contract = contract
        self.provider = provider
        self.peer = peer
        self.status = status
        self.storedBytes = storedBytes
    }

    enum CodingKeys: String, CodingKey {
        case index, contract, provider, peer, status
        case storedBytes = "stored_bytes"
    }
}

/// A backup and where its shards are.
public struct BackupView: Codable, Sendable {
    public let id: String
    public let path: String
    public let createdAt: Date
    public let dataShards: Int
    public let totalShards: Int
    public let archiveBytes: Int
    public let files: Int
    public let digest: String
    /// Every contract the backup's shards were placed with, current and breached.
    public let shards: [BackupShardView]

    public init(
        id: String, path: String, createdAt: Date, dataShards: Int, totalShards: Int, archiveBytes: Int, files: Int,
        digest: String, shards: [BackupShardView]
    ) {
        self.id = id
        self.path = path
        self.createdAt = createdAt
        self.dataShards = dataShards
        self.totalShards = totalShards
        self.archiveBytes = archiveBytes
        self.files = files
        self.digest = digest
        self.shards = shards
    }

    enum CodingKeys: String, CodingKey {
        case id, path, files, digest, shards
        case createdAt = "created_at"
        case dataShards = "data_shards"
        case totalShards = "total_shards"
        case archiveBytes = "archive_bytes"
    }
}

/// `GET /haven/backups`.
public struct BackupListing: Codable, Sendable, ResponseEncodable {
    public let backups: [BackupView]

    public init(backups: [BackupView]) {
        self.backups = backups
    }
}

/// Body of `POST /haven/backups/restore`: rebuild the latest backup of `path` (or backup
/// `backup`) into `to` (default: `path` itself).
public struct RestoreRequest: Codable, Sendable {
    public let path: String
    public let to: String?
    public let backup: String?

    public init(path: String, to: String? = nil, backup: String? = nil) {
        self.path = path
        self.to = to
        self.backup = backup
    }
}

/// One line of a restore's NDJSON progress: `shard` (a provider's shard fetched and checked,
/// or refused), `file` (a file written), then `done` or `error`.
public struct RestoreEvent: Codable, Sendable {
    public let event: String
    public let index: Int?
    public let provider: String?
    public let ok: Bool?
    public let bytes: Int?
    public let path: String?
    public let files: Int?
    public let message: String?

    public init(
        event: String, index: Int? = nil, provider: String? = nil, ok: Bool? = nil, bytes: Int? = nil, path: String? = nil,
        files: Int? = nil, message: String? = nil
    ) {
        self.event = event
        self.index = index
        self.provider = provider
        self.ok = ok
        self.bytes = bytes
        self.path = path
        self.files = files
        self.message = message
    }
}

/// A contract's balances, in micro-credits.
public struct BalancesView: Codable, Sendable {
    public let consumerRemaining: Int64
    public let providerEarned: Int64
    public let heldBack: Int64
    public let collateralPosted: Int64
    public let collateralForfeited: Int64

    public init(_ balances: ContractBalances) {
        consumerRemaining = balances.consumerRemaining
        providerEarned = balances.providerEarned
        heldBack = balances.heldBack
        collateralPosted = balances.collateralPosted
        collateralForfeited = balances.collateralForfeited
    }

    enum CodingKeys: String, CodingKey {
        case consumerRemaining = "consumer_remaining"
        case providerEarned = "provider_earned"
        case heldBack = "held_back"
        case collateralPosted = "collateral_posted"
        case collateralForfeited = "collateral_forfeited"
    }
}

/// A storage contract as `haven market contracts` shows it.
public struct ContractView: Codable, Sendable {
    public let id: String
    /// This server's side: consumer or provider.
    public let role: String
    /// The other party's did:key, and its peer name here.
    public let counterparty: String
    public let peer: String?
    public let status: String
    public let revision: UInt64
    /// Periods settled, of `term_periods`.
    public let period: UInt64
    public let termPeriods: UInt64
    public let periodSeconds: UInt64
    public let periodFee: Int64
    public let storedBytes: UInt64
    public let openedAt: Date
    public let balances: BalancesView
    public let backup: String?
    public let shardIndex: Int?

    public init(
        id: String, role: String, counterparty: String, peer: String?, status: String, revision: UInt64, period: UInt64,
        termPeriods: UInt64, periodSeconds: UInt64, periodFee: Int64, storedBytes: UInt64, openedAt: Date,
        balances: BalancesView, backup: String?, shardIndex: Int?
    ) {
        self.id = id
        self.role = role
        self.counterparty = counterparty
        self.peer = peer
        self.status = status
        self.revision = revision
        self.period = period
        self.termPeriods = termPeriods
        self.periodSeconds = periodSeconds
        self.periodFee = periodFee
        self.storedBytes = storedBytes
        self.openedAt = openedAt
        self.balances = balances
        self.backup = backup
        self.shardIndex = shardIndex
    }

    enum CodingKeys: String, CodingKey {
        case id, role, counterparty, peer, status, revision, period, balances, backup
        case termPeriods = "term_periods"
        case periodSeconds = "period_seconds"
        case periodFee = "period_fee"
        case storedBytes = "stored_bytes"
        case openedAt = "opened_at"
        case shardIndex = "shard_index"
    }
}

/// `GET /haven/market/contracts`.
public struct ContractListing: Codable, Sendable, ResponseEncodable {
    public let contracts: [ContractView]

    public init(contracts: [ContractView]) {
        self.contracts = contracts
    }
}

/// One challenge the consumer ran.
public struct ChallengeView: Codable, Sendable {
    public let contract: String
    public let period: UInt64
    public let sequence: UInt64
    public let leafIndex: UInt64
    public let outcome: String
    public let at: Date
    /// Failed challenges: the evidence's CID, logged in the ledger.
    public let evidence: String?

    public init(contract: String, period: UInt64, sequence: UInt64, leafIndex: UInt64, outcome: String, at: Date, evidence: String?) {
        self.contract = contract
        self.period = period
        self.sequence = sequence
        self.leafIndex = leafIndex
        self.outcome = outcome
        self.at = at
        self.evidence = evidence
    }

    enum CodingKeys: String, CodingKey {
        case contract, period, sequence, outcome, at, evidence
        case leafIndex = "leaf_index"
    }
}

/// `GET /haven/market/challenges`.
public struct ChallengeListing: Codable, Sendable, ResponseEncodable {
    public let challenges: [ChallengeView]

    public init(challenges: [ChallengeView]) {
        self.challenges = challenges
    }
}

// MARK: Exchange (server to server)

/// `POST /exchange/v1/market/contracts`: a consumer takes an offer. `revision` is revision 0,
/// signed by the consumer; `capability` lets the provider pull the sealed shard from
/// `GET /exchange/v1/market/shards/{contract}` on the consumer.
struct ContractProposal: Codable, Sendable {
    let offer: String
    let revision: String
    let capability: String
}

/// A revision as the other party signed it (`revision`), and, for a breach, the evidence.
struct RevisionMessage: Codable, Sendable {
    let revision: String
    let evidence: String?
}

/// `POST /exchange/v1/market/contracts/{id}/challenge`: the consumer asks for a leaf.
struct ChallengeMessage: Codable, Sendable {
    let period: UInt64
    let sequence: UInt64
    let leafIndex: UInt64
    let checkpointOrigin: String
    let checkpointSize: UInt64
    let checkpointRoot: String
    let deadline: Date

    enum CodingKeys: String, CodingKey {
        case period, sequence, deadline
        case leafIndex = "leaf_index"
        case checkpointOrigin = "checkpoint_origin"
        case checkpointSize = "checkpoint_size"
        case checkpointRoot = "checkpoint_root"
    }
}

/// The provider's answer: the leaf (base64) and its Merkle path (hex hashes).
struct ChallengeReply: Codable, Sendable {
    let index: UInt64
    let leaf: String
    let path: [String]
}
