import Foundation
import GRDB

extension CatalogMigration {
    /// Chunks, manifests, and the versions of every path.
    public static let files = CatalogMigration("v4-files") { db in
        try db.execute(
            sql: """
                CREATE TABLE chunk (
                    id TEXT PRIMARY KEY NOT NULL,      -- hex SHA-256, the file name under objects/
                    size INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE manifest (
                    id TEXT PRIMARY KEY NOT NULL,      -- CIDv1 (dag-json) of the canonical encoding
                    size INTEGER NOT NULL,
                    media_type TEXT NOT NULL,
                    chunk_count INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE manifest_chunk (
                    manifest_id TEXT NOT NULL REFERENCES manifest(id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    chunk_id TEXT NOT NULL REFERENCES chunk(id),
                    offset INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    PRIMARY KEY (manifest_id, seq)
                ) WITHOUT ROWID;
                CREATE INDEX manifest_chunk_by_chunk ON manifest_chunk(chunk_id);
                CREATE INDEX manifest_chunk_by_offset ON manifest_chunk(manifest_id, offset);
                CREATE TABLE file_version (
                    path TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    manifest_id TEXT REFERENCES manifest(id),   -- NULL: this version deleted the path
                    created_at DATETIME NOT NULL,
                    author TEXT NOT NULL,
                    PRIMARY KEY (path, version)
                ) WITHOUT ROWID;
                CREATE INDEX file_version_by_manifest ON file_version(manifest_id);
                CREATE TABLE file_head (                         -- current version of every live path
                    path TEXT PRIMARY KEY NOT NULL,
                    version INTEGER NOT NULL,
                    manifest_id TEXT NOT NULL REFERENCES manifest(id)
                ) WITHOUT ROWID;
                """)
    }
}

/// One piece of a read: `length` bytes from `offset` within chunk `id`.
public struct ChunkSlice: Sendable, Equatable {
    public let id: ContentID
    public let offset: Int
    public let length: Int
}

extension Catalog {
    static let versionColumns = """
        v.path, v.version, v.manifest_id, COALESCE(m.size, 0) AS size, m.media_type, v.created_at, v.author, v.origin
        """

    /// A version from a row selecting ``versionColumns``.
    static func fileVersion(_ row: Row) throws -> FileVersion {
        let manifest: String? = row["manifest_id"]
        return FileVersion(
            path: try DataPath(parsing: row["path"] as String), version: row["version"],
            id: try manifest.map { try ContentID(parsing: $0) }, size: row["size"], mediaType: row["media_type"],
            createdAt: row["created_at"], author: row["author"], origin: VersionOrigin(stored: row["origin"]))
    }

    /// Records `manifest` as the next version of `path` if `precondition` holds, in one
    /// transaction: chunk rows, manifest, version, head. The chunks must already be durable.
    func commit(
        _ manifest: Manifest, to path: DataPath, precondition: WritePrecondition, author: String, at date: Date,
        origin: VersionOrigin? = nil
    ) throws -> FileVersion {
        let id = manifest.id
        return try write { db in
            let current = try String.fetchOne(db, sql: "SELECT manifest_id FROM file_head WHERE path = ?", arguments: [path.string])
            let currentID = try current.map { try ContentID(parsing: $0) }
            guard precondition.holds(for: currentID) else { throw StoreError.preconditionFailed(path, current: currentID) }
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM manifest WHERE id = ?", arguments: [id.description]) ?? false
            if !exists {
                try db.execute(
                    sql: "INSERT INTO manifest (id, size, media_type, chunk_count) VALUES (?, ?, ?, ?)",
                    arguments: [id.description, manifest.size, manifest.mediaType, manifest.chunks.count])
                let insertChunk = try db.cachedStatement(sql: "INSERT OR IGNORE INTO chunk (id, size) VALUES (?, ?)")
                let insertReference = try db.cachedStatement(
                    sql: "INSERT INTO manifest_chunk (manifest_id, seq, chunk_id, offset, size) VALUES (?, ?, ?, ?, ?)")
                var offset: Int64 = 0
                for (seq, chunk) in manifest.chunks.enumerated() {
                    try insertChunk.execute(arguments: [chunk.id.hex, chunk.size])
                    try insertReference.execute(arguments: [id.description, seq, chunk.id.hex, offset, chunk.size])
                    offset += Int64(chunk.size)
                }
            }
            let version = try nextVersion(of: path, in: db)
            try db.execute(
                sql: "INSERT INTO file_version (path, version, manifest_id, created_at, author, origin) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [path.string, version, id.description, date, author, origin?.stored])
            try db.execute(
                sql: "INSERT OR REPLACE INTO file_head (path, version, manifest_id) VALUES (?, ?, ?)",
                arguments: [path.string, version, id.description])
            return FileVersion(
                path: path, version: version, id: id, size: manifest.size, mediaType: manifest.mediaType, createdAt: date,
                author: author, origin: origin)
        }
    }

    /// Records the deletion of `path` as its next version, if it exists and `precondition` holds.
    func commitDeletion(
        of path: DataPath, precondition: WritePrecondition, author: String, at date: Date, origin: VersionOrigin? = nil
    ) throws -> FileVersion {
        try write { db in
            guard let current = try String.fetchOne(db, sql: "SELECT manifest_id FROM file_head WHERE path = ?", arguments: [path.string])
            else { throw StoreError.notFound(path) }
            let currentID = try ContentID(parsing: current)
            guard precondition.holds(for: currentID) else { throw StoreError.preconditionFailed(path, current: currentID) }
            let version = try nextVersion(of: path, in: db)
            try db.execute(
                sql: "INSERT INTO file_version (path, version, manifest_id, created_at, author, origin) VALUES (?, ?, NULL, ?, ?, ?)",
                arguments: [path.string, version, date, author, origin?.stored])
            try db.execute(sql: "DELETE FROM file_head WHERE path = ?", arguments: [path.string])
            return FileVersion(
                path: path, version: version, id: nil, size: 0, mediaType: nil, createdAt: date, author: author, origin: origin)
        }
    }

    private func nextVersion(of path: DataPath, in db: Database) throws -> Int {
        (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM file_version WHERE path = ?", arguments: [path.string]) ?? 0) + 1
    }

    /// The current version of `path`, or `nil` if it has none (never written, or deleted).
    func currentVersion(of path: DataPath) throws -> FileVersion? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT \(Self.versionColumns) FROM file_head h
                    JOIN file_version v ON v.path = h.path AND v.version = h.version
                    LEFT JOIN manifest m ON m.id = v.manifest_id WHERE h.path = ?
                    """, arguments: [path.string]
            ).map(Self.fileVersion)
        }
    }

    /// Version `number` of `path`, deletion or not.
    func version(_ number: Int, of path: DataPath) throws -> FileVersion? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT \(Self.versionColumns) FROM file_version v LEFT JOIN manifest m ON m.id = v.manifest_id
                    WHERE v.path = ? AND v.version = ?
                    """, arguments: [path.string, number]
            ).map(Self.fileVersion)
        }
    }

    /// Every kept version of `path`, oldest first.
    func versions(of path: DataPath) throws -> [FileVersion] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.versionColumns) FROM file_version v LEFT JOIN manifest m ON m.id = v.manifest_id
                    WHERE v.path = ? ORDER BY v.version
                    """, arguments: [path.string]
            ).map(Self.fileVersion)
        }
    }

    /// The current files at or below `directory`, in path order.
    func currentFiles(under directory: DataPath) throws -> [FileVersion] {
        let prefix = directory.asDirectory.string
        // Every path under `prefix` sorts between `prefix` and `prefix` with its final '/'
        // raised to '0', the next byte.
        let upper = String(prefix.dropLast()) + "0"
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.versionColumns) FROM file_head h
                    JOIN file_version v ON v.path = h.path AND v.version = h.version
                    JOIN manifest m ON m.id = v.manifest_id
                    WHERE h.path >= ? AND h.path < ? ORDER BY h.path
                    """, arguments: [prefix, upper]
            ).map(Self.fileVersion)
        }
    }

    /// The chunk pieces that hold bytes `range` of manifest `id`, in order.
    func slices(of id: ContentID, range: Range<Int64>) throws -> [ChunkSlice] {
        guard !range.isEmpty else { return [] }
        return try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT chunk_id, offset, size FROM manifest_chunk
                    WHERE manifest_id = ? AND offset < ? AND offset + size > ? ORDER BY seq
                    """, arguments: [id.description, range.upperBound, range.lowerBound])
            return try rows.map { row in
                let start: Int64 = row["offset"]
                let size: Int64 = row["size"]
                let from = max(range.lowerBound, start)
                let to = min(range.upperBound, start + size)
                guard let chunk = ContentID(hex: row["chunk_id"], codec: .raw) else {
                    throw CatalogError.database(reason: "a chunk id in manifest \(id) is damaged")
                }
                return ChunkSlice(id: chunk, offset: Int(from - start), length: Int(to - from))
            }
        }
    }

    /// The manifest with id `id`, rebuilt from its rows, or `nil` when the catalog has none.
    func manifest(_ id: ContentID) throws -> Manifest? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT size, media_type FROM manifest WHERE id = ?", arguments: [id.description])
            else { return nil }
            let chunks = try Row.fetchAll(
                db, sql: "SELECT chunk_id, size FROM manifest_chunk WHERE manifest_id = ? ORDER BY seq",
                arguments: [id.description]
            ).map { chunk in
                guard let chunkID = ContentID(hex: chunk["chunk_id"], codec: .raw) else {
                    throw CatalogError.database(reason: "a chunk id in manifest \(id) is damaged")
                }
                return Manifest.Chunk(id: chunkID, size: chunk["size"])
            }
            let manifest = Manifest(size: row["size"], mediaType: row["media_type"], chunks: chunks)
            guard manifest.id == id else { throw CatalogError.database(reason: "manifest \(id) no longer matches its rows") }
            return manifest
        }
    }

    /// Counts of what the store holds.
    func storeStatistics() throws -> StoreStatistics {
        try read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM file_head) AS files, (SELECT COUNT(*) FROM file_version) AS versions,
                    (SELECT COUNT(*) FROM chunk) AS chunks, (SELECT COALESCE(SUM(size), 0) FROM chunk) AS bytes
                    """)!
            return StoreStatistics(files: row["files"], versions: row["versions"], chunks: row["chunks"], chunkBytes: row["bytes"])
        }
    }

    /// Drops all but the newest `keep` versions of every path; returns how many went.
    func pruneVersions(keeping keep: Int) throws -> Int {
        try write { db in
            try db.execute(
                sql: """
                    DELETE FROM file_version WHERE (path, version) IN (
                        SELECT path, version FROM (
                            SELECT path, version, ROW_NUMBER() OVER (PARTITION BY path ORDER BY version DESC) AS rank
                            FROM file_version)
                        WHERE rank > ?)
                    """, arguments: [max(keep, 1)])
            return db.changesCount
        }
    }

    /// Deletes manifests no version points at (their chunk references go with them).
    func removeUnreferencedManifests() throws -> Int {
        try write { db in
            try db.execute(
                sql: """
                    DELETE FROM manifest WHERE id NOT IN
                        (SELECT manifest_id FROM file_version WHERE manifest_id IS NOT NULL)
                    """)
            return db.changesCount
        }
    }

    /// Chunk rows no manifest references, up to `limit`.
    func unreferencedChunks(limit: Int) throws -> [(id: ContentID, size: Int64)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, size FROM chunk WHERE NOT EXISTS
                        (SELECT 1 FROM manifest_chunk r WHERE r.chunk_id = chunk.id) LIMIT ?
                    """, arguments: [limit]
            ).compactMap { row in ContentID(hex: row["id"], codec: .raw).map { ($0, row["size"]) } }
        }
    }

    /// Forgets chunk rows, unless a manifest references them again.
    func removeChunkRows(_ ids: [ContentID]) throws {
        try write { db in
            let statement = try db.cachedStatement(
                sql: """
                    DELETE FROM chunk WHERE id = ? AND NOT EXISTS
                        (SELECT 1 FROM manifest_chunk r WHERE r.chunk_id = chunk.id)
                    """)
            for id in ids { try statement.execute(arguments: [id.hex]) }
        }
    }

    /// The chunks the catalog has rows for, in id order, after `after`; at most `limit`.
    /// (A migration pages through them to check that every one is in the new backend.)
    public func chunkIDs(after: ContentID? = nil, limit: Int = 1000) throws -> [ContentID] {
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM chunk WHERE id > ? ORDER BY id LIMIT ?", arguments: [after?.hex ?? "", limit]
            ).compactMap { ContentID(hex: $0, codec: .raw) }
        }
    }

    /// Which of `ids` have a chunk row.
    public func knownChunks(_ ids: [ContentID]) throws -> Set<ContentID> {
        try read { db in
            let statement = try db.cachedStatement(sql: "SELECT 1 FROM chunk WHERE id = ?")
            return Set(try ids.filter { try Bool.fetchOne(statement, arguments: [$0.hex]) ?? false })
        }
    }
}
