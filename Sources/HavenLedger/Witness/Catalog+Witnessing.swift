import Foundation
import GRDB
import HavenStore

extension CatalogMigration {
    /// Witnessing, both ways: the logs this server witnesses (with the latest checkpoint it
    /// accepted of each), the witnesses of this server's log (with the latest cosignature each
    /// returned), and the split-view evidence found.
    public static let witnessing = CatalogMigration("v18-witnessing") { db in
        try db.execute(
            sql: """
                CREATE TABLE witnessed_log (
                    origin TEXT PRIMARY KEY NOT NULL,  -- the log's origin: its owner's did:key
                    url TEXT NOT NULL,                 -- the server that serves it
                    vkey TEXT NOT NULL,                -- the log's verifier key
                    latest_note TEXT,                  -- the latest checkpoint accepted, as signed
                    added_at DATETIME NOT NULL,
                    checked_at DATETIME
                ) WITHOUT ROWID;
                CREATE TABLE log_witness (
                    name TEXT PRIMARY KEY NOT NULL,    -- the witness's key name: its owner's did:key
                    url TEXT NOT NULL,
                    vkey TEXT NOT NULL,                -- its cosigner key (type 0x04)
                    cosigned_size INTEGER NOT NULL DEFAULT 0,
                    cosignature TEXT,                  -- its latest cosignature line
                    added_at DATETIME NOT NULL,
                    error TEXT                         -- why the last push failed, if it did
                ) WITHOUT ROWID;
                CREATE TABLE split_view (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    origin TEXT NOT NULL,
                    kind TEXT NOT NULL,                -- split_view or rollback
                    evidence TEXT NOT NULL,            -- JSON: both signed notes and the proof
                    found_at DATETIME NOT NULL
                );
                """)
    }
}

/// A log this server witnesses, as the catalog keeps it.
public struct WitnessedLogRow: Sendable, Codable, Equatable {
    public let origin: String
    public let url: String
    public let vkey: String
    public let latestNote: String?
    public let addedAt: Date
    public let checkedAt: Date?

    enum CodingKeys: String, CodingKey {
        case origin, url, vkey
        case latestNote = "latest_note"
        case addedAt = "added_at"
        case checkedAt = "checked_at"
    }

    /// The state the pure witness logic works on.
    public func witnessedLog() throws -> WitnessedLog {
        let key = try NoteVerifierKey(parsing: vkey)
        let latest = try latestNote.map { try WitnessedCheckpoint(verifying: try SignedNote(parsing: Array($0.utf8)), with: key) }
        return try WitnessedLog(origin: origin, verifierKey: key, latest: latest)
    }
}

/// A witness of this server's log, as the catalog keeps it.
public struct LogWitnessRow: Sendable, Codable, Equatable {
    public let name: String
    public let url: String
    public let vkey: String
    public let cosignedSize: UInt64
    public let cosignature: String?
    public let addedAt: Date
    public let error: String?

    enum CodingKeys: String, CodingKey {
        case name, url, vkey, cosignature, error
        case cosignedSize = "cosigned_size"
        case addedAt = "added_at"
    }
}

/// Evidence that a log contradicted itself, as kept.
public struct SplitViewRow: Sendable, Codable, Equatable {
    public let id: Int64
    public let origin: String
    /// `split_view` (two inconsistent signed checkpoints) or `rollback` (a smaller tree than one
    /// already seen).
    public let kind: String
    /// The evidence as JSON.
    public let evidence: String
    public let foundAt: Date

    enum CodingKeys: String, CodingKey {
        case id, origin, kind, evidence
        case foundAt = "found_at"
    }
}

extension Catalog {
    /// Starts witnessing a log, or updates its URL; keeps the latest checkpoint if given.
    public func saveWitnessedLog(origin: String, url: String, vkey: String, latestNote: String?, at date: Date) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO witnessed_log (origin, url, vkey, latest_note, added_at, checked_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(origin) DO UPDATE SET url = excluded.url
                    """,
                arguments: [origin, url, vkey, latestNote, date, date])
        }
    }

    /// Records the latest checkpoint accepted of a witnessed log. `expectedSize` guards against
    /// a concurrent update: the row changes only if its latest note is still the one the
    /// decision was made on.
    @discardableResult
    public func updateWitnessedLog(origin: String, latestNote: String, replacing previous: String?, at date: Date) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE witnessed_log SET latest_note = ?, checked_at = ? WHERE origin = ? AND latest_note IS ?",
                arguments: [latestNote, date, origin, previous])
            return db.changesCount == 1
        }
    }

    /// Notes that a witnessed log was checked, without a new checkpoint.
    public func markWitnessedLogChecked(origin: String, at date: Date) throws {
        try write { db in
            try db.execute(sql: "UPDATE witnessed_log SET checked_at = ? WHERE origin = ?", arguments: [date, origin])
        }
    }

    public func witnessedLogs() throws -> [WitnessedLogRow] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM witnessed_log ORDER BY added_at, origin").map(Self.witnessedLog) }
    }

    public func witnessedLog(origin: String) throws -> WitnessedLogRow? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM witnessed_log WHERE origin = ?", arguments: [origin]).map(Self.witnessedLog)
        }
    }

    /// Adds a witness of this server's log (again: updates its URL and key).
    public func saveLogWitness(name: String, url: String, vkey: String, at date: Date) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO log_witness (name, url, vkey, added_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET url = excluded.url, vkey = excluded.vkey
                    """,
                arguments: [name, url, vkey, date])
        }
    }

    /// Records a witness's cosignature of the checkpoint of `size`, or why the push failed.
    public func recordWitnessAnswer(name: String, size: UInt64?, cosignature: String?, error: String?) throws {
        try write { db in
            if let size, let cosignature {
                try db.execute(
                    sql: "UPDATE log_witness SET cosigned_size = ?, cosignature = ?, error = NULL WHERE name = ?",
                    arguments: [Int64(size), cosignature, name])
            } else {
                try db.execute(sql: "UPDATE log_witness SET error = ? WHERE name = ?", arguments: [error, name])
            }
        }
    }

    public func logWitnesses() throws -> [LogWitnessRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM log_witness ORDER BY added_at, name").map { row in
                LogWitnessRow(
                    name: row["name"], url: row["url"], vkey: row["vkey"], cosignedSize: UInt64(row["cosigned_size"] as Int64),
                    cosignature: row["cosignature"], addedAt: row["added_at"], error: row["error"])
            }
        }
    }

    /// Keeps evidence that a log contradicted itself; the same evidence twice is kept once.
    @discardableResult
    public func saveSplitView(origin: String, kind: String, evidence: String, at date: Date) throws -> Bool {
        try write { db in
            let known = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM split_view WHERE origin = ? AND evidence = ?", arguments: [origin, evidence]) ?? false
            guard !known else { return false }
            try db.execute(
                sql: "INSERT INTO split_view (origin, kind, evidence, found_at) VALUES (?, ?, ?, ?)",
                arguments: [origin, kind, evidence, date])
            return true
        }
    }

    public func splitViews() throws -> [SplitViewRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM split_view ORDER BY id").map { row in
                SplitViewRow(id: row["id"], origin: row["origin"], kind: row["kind"], evidence: row["evidence"], foundAt: row["found_at"])
            }
        }
    }

    /// How many logs are witnessed here, witnesses this log has, and pieces of evidence are
    /// kept: what `haven status` shows, counted without reading the rows.
    public func witnessingCounts() throws -> (witnessing: Int, witnesses: Int, splitViews: Int) {
        try read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM witnessed_log") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM log_witness") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM split_view") ?? 0
            )
        }
    }

    private static func witnessedLog(_ row: Row) -> WitnessedLogRow {
        WitnessedLogRow(
            origin: row["origin"], url: row["url"], vkey: row["vkey"], latestNote: row["latest_note"], addedAt: row["added_at"],
            checkedAt: row["checked_at"])
    }
}
