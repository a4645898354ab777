import Foundation
import GRDB

extension CatalogMigration {
    /// The change feed (every version in commit order, numbered) and the origin of received
    /// versions. Existing versions are numbered in the order they were made.
    public static let changes = CatalogMigration("v11-changes") { db in
        try db.execute(
            sql: """
                ALTER TABLE file_version ADD COLUMN origin TEXT;     -- JSON VersionOrigin, for received versions
                CREATE TABLE change (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    path TEXT NOT NULL,
                    version INTEGER NOT NULL
                );
                INSERT INTO change (path, version)
                    SELECT path, version FROM file_version ORDER BY created_at, path, version;
                CREATE TRIGGER file_version_change AFTER INSERT ON file_version BEGIN
                    INSERT INTO change (path, version) VALUES (NEW.path, NEW.version);
                END;
                CREATE TABLE change_feed (id TEXT NOT NULL);          -- one row: this feed's id
                INSERT INTO change_feed (id) VALUES (lower(hex(randomblob(16))));
                """)
    }
}

extension Catalog {
    /// The feed id and the changes after `sequence` whose path starts with `prefix` and passes
    /// `include`, at most `limit` of them. Versions pruned since are skipped.
    func changes(
        after sequence: Int64, under prefix: DataPath, limit: Int, include: (FileVersion) -> Bool
    ) throws -> ChangePage {
        try read { db in
            let feedID = try String.fetchOne(db, sql: "SELECT id FROM change_feed") ?? ""
            let latest = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM change") ?? 0
            var changes: [Change] = []
            var next = sequence
            let directory = prefix.isDirectory ? prefix.string : nil
            // Read in pages so a long run of filtered-out changes costs bounded memory.
            while changes.count < limit, next < latest {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.seq, \(Self.versionColumns)
                        FROM change c
                        LEFT JOIN file_version v ON v.path = c.path AND v.version = c.version
                        LEFT JOIN manifest m ON m.id = v.manifest_id
                        WHERE c.seq > ? ORDER BY c.seq LIMIT 500
                        """, arguments: [next])
                guard !rows.isEmpty else { break }
                for row in rows {
                    let seq: Int64 = row["seq"]
                    guard let path: String = row["path"] else {
                        next = seq  // pruned since
                        continue
                    }
                    let inScope = directory.map { path.hasPrefix($0) } ?? (path == prefix.string)
                    if inScope {
                        let version = try Self.fileVersion(row)
                        if include(version) {
                            if changes.count == limit { break }
                            changes.append(Change(sequence: seq, version: version))
                        }
                    }
                    next = seq
                }
            }
            return ChangePage(feedID: feedID, changes: changes, next: next, latest: latest)
        }
    }

    /// The newest change sequence (0 when the store is empty).
    func latestChange() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM change") ?? 0 }
    }
}
