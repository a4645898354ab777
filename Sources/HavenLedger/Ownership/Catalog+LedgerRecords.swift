import Foundation
import HavenAccess
import GRDB
import HavenStore

extension CatalogMigration {
    /// The records this server issued or accepted; the log holds only their ids.
    public static let ledgerRecords = CatalogMigration("v15-ledger-records") { db in
        try db.execute(
            sql: """
                CREATE TABLE ledger_record (
                    id TEXT PRIMARY KEY NOT NULL,      -- CID of the canonical bytes
                    kind TEXT NOT NULL,
                    content TEXT,                      -- the content id it is about, if any
                    record BLOB NOT NULL,              -- the canonical signed bytes
                    log_index INTEGER,                 -- its entry in this server's log, once appended
                    recorded_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX ledger_record_by_content ON ledger_record(content);
                """)
    }
}

extension Catalog {
    /// Keeps a verified record (again is a no-op: records are named by their bytes).
    public func saveLedgerRecord(_ record: LedgerRecord, at date: Date) throws {
        try write { db in try Self.insert(record, at: date, db) }
    }

    private static func insert(_ record: LedgerRecord, at date: Date, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO ledger_record (id, kind, content, record, recorded_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO NOTHING
                """,
            arguments: [
                record.id.description, record.statement.kind, record.statement.content?.description,
                Data(record.encoded), date,
            ])
    }

    /// A kept record and its log index, from a row of `ledger_record`.
    private static func kept(_ row: Row) throws -> (record: LedgerRecord, logIndex: UInt64?) {
        let bytes: Data = row["record"]
        let index: Int64? = row["log_index"]
        return (try LedgerRecord(parsing: [UInt8](bytes)), index.map { UInt64($0) })
    }

    /// Notes where a record stands in this server's log.
    public func setLogIndex(_ index: UInt64, of record: ContentID) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE ledger_record SET log_index = ? WHERE id = ?", arguments: [Int64(index), record.description])
        }
    }

    /// A kept record by id, with its log index; `nil` if there is none.
    public func ledgerRecord(id: ContentID) throws -> (record: LedgerRecord, logIndex: UInt64?)? {
        let row = try read { db in
            try Row.fetchOne(db, sql: "SELECT record, log_index FROM ledger_record WHERE id = ?", arguments: [id.description])
        }
        return try row.map(Self.kept)
    }

    /// The records kept of one kind (`mint`, `transfer`, `licence`, `revoke`), oldest first.
    public func ledgerRecords(ofKind kind: String) throws -> [(record: LedgerRecord, logIndex: UInt64?)] {
        let rows = try read { db in
            try Row.fetchAll(
                db, sql: "SELECT record, log_index FROM ledger_record WHERE kind = ? ORDER BY recorded_at, id", arguments: [kind])
        }
        return try rows.map(Self.kept)
    }

    /// The records kept about `content` in log order (then those not yet in the log), with
    /// their log index.
    public func ledgerRecords(about content: ContentID) throws -> [(record: LedgerRecord, logIndex: UInt64?)] {
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT record, log_index FROM ledger_record WHERE content = ?
                    ORDER BY log_index IS NULL, log_index, recorded_at, id
                    """,
                arguments: [content.description])
        }
        return try rows.map(Self.kept)
    }
}

extension CatalogMigration {
    /// The policies that licence records name by CID, and the capability token each licence
    /// issued, so revoking the licence revokes the token.
    public static let ledgerLicences = CatalogMigration("v17-ledger-licences") { db in
        try db.execute(
            sql: """
                CREATE TABLE ledger_policy (
                    id TEXT PRIMARY KEY NOT NULL,      -- CID (dag-json) of the canonical policy
                    document BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE ledger_licence (
                    record TEXT PRIMARY KEY NOT NULL,  -- the licence record's id
                    share TEXT NOT NULL                -- the capability token it issued
                ) WITHOUT ROWID;
                """)
    }
}

extension Catalog {
    /// Keeps a licence record with its policy and the token it issued, in one transaction.
    public func saveLicence(_ record: LedgerRecord, policy: LicencePolicy, share: String, at date: Date) throws {
        guard case .licence(_, _, let policyID) = record.statement else {
            throw LedgerRecordError.malformed("record \(record.id) is a \(record.statement.kind), not a licence")
        }
        try write { db in
            try db.execute(
                sql: "INSERT INTO ledger_policy (id, document) VALUES (?, ?) ON CONFLICT(id) DO NOTHING",
                arguments: [policyID.description, Data(policy.canonicalJSON)])
            try db.execute(
                sql: "INSERT INTO ledger_licence (record, share) VALUES (?, ?)", arguments: [record.id.description, share])
            try Self.insert(record, at: date, db)
        }
    }

    /// The policy a licence names, if it is kept here.
    public func ledgerPolicy(id: ContentID) throws -> LicencePolicy? {
        let bytes = try read { db in
            try Data.fetchOne(db, sql: "SELECT document FROM ledger_policy WHERE id = ?", arguments: [id.description])
        }
        return try bytes.map { try LicencePolicy(parsing: [UInt8]($0)) }
    }

    /// The capability token a licence issued.
    public func licenceShare(record: ContentID) throws -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT share FROM ledger_licence WHERE record = ?", arguments: [record.description])
        }
    }
}

extension Catalog {
    /// Keeps a policy that a record names (a mint's offered licence), by its CID.
    public func saveLedgerPolicy(_ policy: LicencePolicy) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO ledger_policy (id, document) VALUES (?, ?) ON CONFLICT(id) DO NOTHING",
                arguments: [policy.contentID.description, Data(policy.canonicalJSON)])
        }
    }
}
