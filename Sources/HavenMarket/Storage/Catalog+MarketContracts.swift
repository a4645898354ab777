import Foundation
import GRDB
import HavenIdentity
import HavenStore

extension CatalogMigration {
    /// Storage contracts (either side), their revisions, the challenges run and answered, and
    /// the backups placed through them.
    public static let marketContracts = CatalogMigration("v20-market-contracts") { db in
        try db.execute(
            sql: """
                CREATE TABLE market_contract (
                    id TEXT PRIMARY KEY NOT NULL,      -- the contract id (CID)
                    role TEXT NOT NULL,                -- this server's side: consumer | provider
                    peer TEXT NOT NULL,                -- the other party's did:key
                    offer BLOB NOT NULL,               -- the signed offer it was opened on
                    revision BLOB NOT NULL,            -- the latest revision both sides hold
                    number INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    opened_at DATETIME NOT NULL,
                    backup_id TEXT,                    -- consumer side: the backup and shard it stores
                    shard_index INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX market_contract_backup ON market_contract(backup_id);
                CREATE TABLE market_revision (
                    contract TEXT NOT NULL REFERENCES market_contract(id),
                    number INTEGER NOT NULL,
                    document BLOB NOT NULL,
                    log_index INTEGER,
                    PRIMARY KEY (contract, number)
                ) WITHOUT ROWID;
                CREATE TABLE market_challenge (
                    contract TEXT NOT NULL REFERENCES market_contract(id),
                    period INTEGER NOT NULL,
                    sequence INTEGER NOT NULL,
                    leaf_index INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    at DATETIME NOT NULL,
                    evidence_id TEXT,                  -- failed challenges: the signed evidence
                    evidence BLOB,
                    log_index INTEGER,
                    PRIMARY KEY (contract, period, sequence)
                ) WITHOUT ROWID;
                CREATE TABLE market_answer (
                    contract TEXT NOT NULL REFERENCES market_contract(id),
                    period INTEGER NOT NULL,
                    sequence INTEGER NOT NULL,
                    leaf_index INTEGER NOT NULL,
                    answered_at DATETIME NOT NULL,
                    PRIMARY KEY (contract, period, sequence)
                ) WITHOUT ROWID;
                CREATE TABLE backup (
                    id TEXT PRIMARY KEY NOT NULL,
                    path TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    data_shards INTEGER NOT NULL,
                    total_shards INTEGER NOT NULL,
                    archive_bytes INTEGER NOT NULL,
                    files INTEGER NOT NULL,
                    digest TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX backup_path ON backup(path, created_at);
                """)
    }
}

/// A storage contract as this server keeps it.
public struct StoredContract: Sendable {
    /// This server's side of the contract.
    public let role: ContractParty
    /// The other party.
    public let peer: DID
    public let contract: Contract
    public let openedAt: Date
    /// Consumer side: the backup and the shard the contract stores.
    public let backup: String?
    public let shardIndex: Int?

    public var id: ContractID { contract.id }

    public init(role: ContractParty, peer: DID, contract: Contract, openedAt: Date, backup: String?, shardIndex: Int?) {
        self.role = role
        self.peer = peer
        self.contract = contract
        self.openedAt = openedAt
        self.backup = backup
        self.shardIndex = shardIndex
    }
}

/// One challenge the consumer ran.
public struct ChallengeRecord: Sendable {
    public let contract: ContractID
    public let period: UInt64
    public let sequence: UInt64
    public let leafIndex: UInt64
    public let outcome: ChallengeOutcome
    public let at: Date
    /// Failed challenges: the signed evidence.
    public let evidence: ChallengeEvidence?

    public init(
        contract: ContractID, period: UInt64, sequence: UInt64, leafIndex: UInt64, outcome: ChallengeOutcome, at: Date,
        evidence: ChallengeEvidence?
    ) {
        self.contract = contract
        self.period = period
        self.sequence = sequence
        self.leafIndex = leafIndex
        self.outcome = outcome
        self.at = at
        self.evidence = evidence
    }
}

/// A backup this server placed with providers.
public struct BackupRecord: Sendable, Hashable {
    public let id: String
    /// The folder it holds, as it was when backed up.
    public let path: String
    public let createdAt: Date
    public let dataShards: Int
    public let totalShards: Int
    /// The size of the packed archive the shards encode.
    public let archiveBytes: Int
    public let files: Int
    /// The archive's SHA-256, hex.
    public let digest: String

    public init(
        id: String, path: String, createdAt: Date, dataShards: Int, totalShards: Int, archiveBytes: Int, files: Int,
        digest: String
    ) {
        self.id = id
        self.path = path
        self.createdAt = createdAt
        self.dataShards = dataShards
        self.totalShards = totalShards
        self.archiveBytes = archiveBytes
        self.files = files
        self.digest = digest
    }
}

extension Catalog {
    // MARK: Contracts

    /// Keeps a newly opened contract and its revision 0.
    public func saveContract(
        _ contract: Contract, role: ContractParty, peer: DID, openedAt: Date, backup: String? = nil, shardIndex: Int? = nil
    ) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO market_contract (id, role, peer, offer, revision, number, status, opened_at, backup_id, shard_index)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    contract.id.description, role.rawValue, peer.description, Data(contract.offer.encoded),
                    Data(contract.current.encoded), Int64(contract.current.number), contract.status.rawValue, openedAt,
                    backup, shardIndex,
                ])
            try Self.insertRevision(contract.current, db: db)
        }
    }

    /// Records a later revision as the contract's current one.
    public func saveRevision(_ revision: ContractRevision) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE market_contract SET revision = ?, number = ?, status = ? WHERE id = ? AND number < ?",
                arguments: [
                    Data(revision.encoded), Int64(revision.number), revision.status.rawValue, revision.contract.description,
                    Int64(revision.number),
                ])
            try Self.insertRevision(revision, db: db)
        }
    }

    private static func insertRevision(_ revision: ContractRevision, db: Database) throws {
        try db.execute(
            sql: "INSERT INTO market_revision (contract, number, document) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            arguments: [revision.contract.description, Int64(revision.number), Data(revision.encoded)])
    }

    /// Notes where a revision stands in this server's log.
    public func setRevisionLogIndex(_ index: UInt64, contract: ContractID, number: UInt64) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE market_revision SET log_index = ? WHERE contract = ? AND number = ?",
                arguments: [Int64(index), contract.description, Int64(number)])
        }
    }

    /// Every revision of a contract, oldest first, with its log index.
    public func contractRevisions(_ contract: ContractID) throws -> [(revision: ContractRevision, logIndex: UInt64?)] {
        let rows = try read { db in
            try Row.fetchAll(
                db, sql: "SELECT document, log_index FROM market_revision WHERE contract = ? ORDER BY number",
                arguments: [contract.description])
        }
        return try rows.map { row in
            let document: Data = row["document"]
            let index: Int64? = row["log_index"]
            return (try ContractRevision(parsing: [UInt8](document)), index.map { UInt64($0) })
        }
    }

    /// One contract, or `nil`.
    public func storedContract(_ id: ContractID) throws -> StoredContract? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM market_contract WHERE id = ?", arguments: [id.description])
        }.map(Self.storedContract)
    }

    /// Contracts, oldest first; only one side's, or only one backup's, when asked.
    public func storedContracts(role: ContractParty? = nil, backup: String? = nil) throws -> [StoredContract] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let role {
            conditions.append("role = ?")
            _ = arguments.append(contentsOf: [role.rawValue])
        }
        if let backup {
            conditions.append("backup_id = ?")
            _ = arguments.append(contentsOf: [backup])
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM market_contract \(filter) ORDER BY opened_at, id", arguments: arguments)
        }
        return try rows.map(Self.storedContract)
    }

    private static func storedContract(_ row: Row) throws -> StoredContract {
        let offer: Data = row["offer"]
        let revision: Data = row["revision"]
        let role: String = row["role"]
        let peer: String = row["peer"]
        let shard: Int64? = row["shard_index"]
        return StoredContract(
            role: ContractParty(rawValue: role) ?? .consumer, peer: try DID(parsing: peer),
            contract: .resuming(
                offer: try StorageOffer(parsing: [UInt8](offer)), current: try ContractRevision(parsing: [UInt8](revision))),
            openedAt: row["opened_at"], backup: row["backup_id"], shardIndex: shard.map { Int($0) })
    }

    // MARK: Challenges

    /// Keeps a challenge the consumer ran (once per contract, period and sequence).
    public func saveChallenge(_ record: ChallengeRecord) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO market_challenge (contract, period, sequence, leaf_index, outcome, at, evidence_id, evidence)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """,
                arguments: [
                    record.contract.description, Int64(record.period), Int64(record.sequence), Int64(record.leafIndex),
                    record.outcome.rawValue, record.at, record.evidence?.id.description, record.evidence.map { Data($0.encoded) },
                ])
        }
    }

    /// Notes where a challenge's evidence stands in this server's log.
    public func setChallengeLogIndex(_ index: UInt64, contract: ContractID, period: UInt64, sequence: UInt64) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE market_challenge SET log_index = ? WHERE contract = ? AND period = ? AND sequence = ?",
                arguments: [Int64(index), contract.description, Int64(period), Int64(sequence)])
        }
    }

    /// Challenges run, newest first (at most `limit`), of one contract when asked.
    public func challenges(contract: ContractID? = nil, limit: Int = 1000) throws -> [ChallengeRecord] {
        let rows = try read { db in
            if let contract {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM market_challenge WHERE contract = ? ORDER BY at DESC, sequence DESC LIMIT ?",
                    arguments: [contract.description, limit])
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM market_challenge ORDER BY at DESC, sequence DESC LIMIT ?", arguments: [limit])
        }
        return try rows.map { row in
            let contract: String = row["contract"]
            let evidence: Data? = row["evidence"]
            let outcome: String = row["outcome"]
            let period: Int64 = row["period"]
            let sequence: Int64 = row["sequence"]
            let leaf: Int64 = row["leaf_index"]
            return ChallengeRecord(
                contract: try ContractID(parsing: contract), period: UInt64(period), sequence: UInt64(sequence),
                leafIndex: UInt64(leaf), outcome: ChallengeOutcome(rawValue: outcome) ?? .missing, at: row["at"],
                evidence: try evidence.map { try ChallengeEvidence(parsing: [UInt8]($0)) })
        }
    }

    /// How many challenges of each outcome a contract's period had.
    public func challengeOutcomes(contract: ContractID, period: UInt64) throws -> [ChallengeOutcome: Int] {
        let rows = try read { db in
            try Row.fetchAll(
                db, sql: "SELECT outcome, COUNT(*) AS n FROM market_challenge WHERE contract = ? AND period = ? GROUP BY outcome",
                arguments: [contract.description, Int64(period)])
        }
        var counts: [ChallengeOutcome: Int] = [:]
        for row in rows {
            let outcome: String = row["outcome"]
            if let outcome = ChallengeOutcome(rawValue: outcome) { counts[outcome] = row["n"] }
        }
        return counts
    }

    /// Provider side: notes an answer sent, so evidence claiming it never came can be disputed.
    public func saveAnswer(contract: ContractID, period: UInt64, sequence: UInt64, leafIndex: UInt64, at: Date) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO market_answer (contract, period, sequence, leaf_index, answered_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """,
                arguments: [contract.description, Int64(period), Int64(sequence), Int64(leafIndex), at])
        }
    }

    /// Provider side: when the answer to a challenge was sent, if it was.
    public func answeredAt(contract: ContractID, period: UInt64, sequence: UInt64) throws -> Date? {
        try read { db in
            try Date.fetchOne(
                db, sql: "SELECT answered_at FROM market_answer WHERE contract = ? AND period = ? AND sequence = ?",
                arguments: [contract.description, Int64(period), Int64(sequence)])
        }
    }

    // MARK: Backups

    /// Keeps a backup's description.
    public func saveBackup(_ backup: BackupRecord) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO backup (id, path, created_at, data_shards, total_shards, archive_bytes, files, digest)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    backup.id, backup.path, backup.createdAt, backup.dataShards, backup.totalShards, backup.archiveBytes,
                    backup.files, backup.digest,
                ])
        }
    }

    /// Backups, newest first; only those of `path` when asked.
    public func backups(path: String? = nil) throws -> [BackupRecord] {
        let rows = try read { db in
            if let path {
                return try Row.fetchAll(db, sql: "SELECT * FROM backup WHERE path = ? ORDER BY created_at DESC, id", arguments: [path])
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM backup ORDER BY created_at DESC, id")
        }
        return rows.map { row in
            BackupRecord(
                id: row["id"], path: row["path"], createdAt: row["created_at"], dataShards: row["data_shards"],
                totalShards: row["total_shards"], archiveBytes: row["archive_bytes"], files: row["files"], digest: row["digest"])
        }
    }
}
