import Foundation
import GRDB
import HavenStore

extension CatalogMigration {
    /// Passages of indexed files: text in FTS5 (BM25), embeddings beside them.
    public static let knowledge = CatalogMigration("v8-knowledge") { db in
        try db.execute(
            sql: """
                CREATE TABLE passage (
                    id INTEGER PRIMARY KEY,
                    path TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    embedding BLOB NOT NULL            -- Float32, little-endian, unit length
                );
                CREATE INDEX passage_by_path ON passage(path, seq);
                CREATE VIRTUAL TABLE passage_fts USING fts5(
                    text, content='passage', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
                CREATE TRIGGER passage_fts_insert AFTER INSERT ON passage BEGIN
                    INSERT INTO passage_fts(rowid, text) VALUES (new.id, new.text);
                END;
                CREATE TRIGGER passage_fts_delete AFTER DELETE ON passage BEGIN
                    INSERT INTO passage_fts(passage_fts, rowid, text) VALUES ('delete', old.id, old.text);
                END;
                CREATE TABLE indexed_file (
                    path TEXT PRIMARY KEY NOT NULL,
                    version INTEGER NOT NULL,
                    passages INTEGER NOT NULL,
                    status TEXT NOT NULL,              -- indexed, skipped, failed
                    detail TEXT,
                    indexed_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                """)
    }
}

extension CatalogMigration {
    /// Per-term document counts of the passage index, for leaving out terms too common to rank by.
    public static let knowledgeVocabulary = CatalogMigration("v10-knowledge-vocabulary") { db in
        try db.execute(sql: "CREATE VIRTUAL TABLE passage_vocabulary USING fts5vocab(passage_fts, 'row')")
    }
}

/// A stored passage, as search reads it back.
struct PassageRow: Sendable {
    let id: Int64
    let path: String
    let version: Int
    let seq: Int
    let text: String
}

/// What the index holds for one file.
public struct IndexedFile: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable { case indexed, skipped, failed }
    public let path: String
    public let version: Int
    public let passages: Int
    public let status: Status
    /// Why a file was skipped or failed.
    public let detail: String?
}

extension Catalog {
    /// Replaces the passages of `path` with `passages` (text and unit-length embedding), in
    /// one transaction; returns their row ids in order.
    package func replacePassages(
        of path: String, version: Int, passages: [(text: String, embedding: [Float])], at date: Date
    ) throws -> [Int64] {
        try write { db in
            try db.execute(sql: "DELETE FROM passage WHERE path = ?", arguments: [path])
            let insert = try db.cachedStatement(
                sql: "INSERT INTO passage (path, version, seq, text, embedding) VALUES (?, ?, ?, ?, ?)")
            var ids: [Int64] = []
            for (seq, passage) in passages.enumerated() {
                let blob = passage.embedding.withUnsafeBufferPointer { Data(buffer: $0) }
                try insert.execute(arguments: [path, version, seq, passage.text, blob])
                ids.append(db.lastInsertedRowID)
            }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO indexed_file (path, version, passages, status, detail, indexed_at)
                    VALUES (?, ?, ?, 'indexed', NULL, ?)
                    """, arguments: [path, version, passages.count, date])
            return ids
        }
    }

    /// Drops the passages of `path` and records why (or forgets the file when `status` is nil).
    func clearPassages(of path: String, version: Int?, status: IndexedFile.Status?, detail: String?, at date: Date) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM passage WHERE path = ?", arguments: [path])
            if let status, let version {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO indexed_file (path, version, passages, status, detail, indexed_at)
                        VALUES (?, ?, 0, ?, ?, ?)
                        """, arguments: [path, version, status.rawValue, detail, date])
            } else {
                try db.execute(sql: "DELETE FROM indexed_file WHERE path = ?", arguments: [path])
            }
        }
    }

    /// Every file the index knows, by path.
    func indexedFiles() throws -> [String: IndexedFile] {
        try read { db in
            var files: [String: IndexedFile] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM indexed_file") {
                let file = IndexedFile(
                    path: row["path"], version: row["version"], passages: row["passages"],
                    status: IndexedFile.Status(rawValue: row["status"]) ?? .failed, detail: row["detail"])
                files[file.path] = file
            }
            return files
        }
    }

    /// Forgets the whole index.
    func clearIndex() throws {
        try write { db in
            try db.execute(sql: "DELETE FROM passage; DELETE FROM indexed_file;")
        }
    }

    /// Every stored embedding, for loading the in-memory vector index.
    func allEmbeddings() throws -> [(id: Int64, path: String, vector: [Float])] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, path, embedding FROM passage").map { row in
                let data: Data = row["embedding"]
                let vector = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                return (row["id"], row["path"], vector)
            }
        }
    }

    /// Passage ids matching `query` (an FTS5 expression), best BM25 first, within `filter`.
    func fullTextMatches(_ query: String, filter: PathFilter, limit: Int) throws -> [Int64] {
        let (clause, arguments) = filter.sql(column: "p.path")
        return try read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT p.id FROM passage_fts JOIN passage p ON p.id = passage_fts.rowid
                    WHERE passage_fts MATCH ? AND \(clause)
                    ORDER BY bm25(passage_fts) LIMIT ?
                    """, arguments: StatementArguments([query] + arguments) + [limit])
        }
    }

    /// The passages with these ids.
    func passages(ids: [Int64]) throws -> [Int64: PassageRow] {
        guard !ids.isEmpty else { return [:] }
        return try read { db in
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
            var rows: [Int64: PassageRow] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT id, path, version, seq, text FROM passage WHERE id IN (\(placeholders))",
                arguments: StatementArguments(ids))
            {
                rows[row["id"]] = PassageRow(id: row["id"], path: row["path"], version: row["version"], seq: row["seq"], text: row["text"])
            }
            return rows
        }
    }

    /// How many passages contain each of `terms` (as the full-text index tokenises them).
    func documentFrequencies(of terms: [String]) throws -> [String: Int] {
        try read { db in
            let statement = try db.cachedStatement(sql: "SELECT doc FROM passage_vocabulary WHERE term = ?")
            var counts: [String: Int] = [:]
            for term in terms { counts[term] = try Int.fetchOne(statement, arguments: [term]) ?? 0 }
            return counts
        }
    }

    /// How many passages the index holds.
    package func passageCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM passage") ?? 0 }
    }
}
