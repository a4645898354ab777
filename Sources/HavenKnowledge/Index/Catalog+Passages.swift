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

extension CatalogMigration {
    /// What the full-text index holds in an encrypted home: `passage.terms`, the keyed hashes of
    /// a passage's words (``TermHasher``), is indexed instead of its sealed text. A plain home
    /// leaves `terms` empty and indexes the text as before.
    public static let passageTerms = CatalogMigration("v23-passage-terms") { db in
        try db.execute(
            sql: """
                ALTER TABLE passage ADD COLUMN terms TEXT;
                DROP TRIGGER passage_fts_insert;
                DROP TRIGGER passage_fts_delete;
                CREATE TRIGGER passage_fts_insert AFTER INSERT ON passage BEGIN
                    INSERT INTO passage_fts(rowid, text) VALUES (new.id, coalesce(new.terms, new.text));
                END;
                CREATE TRIGGER passage_fts_delete AFTER DELETE ON passage BEGIN
                    INSERT INTO passage_fts(passage_fts, rowid, text) VALUES ('delete', old.id, coalesce(old.terms, old.text));
                END;
                """)
    }
}

extension CatalogMigration {
    /// A narrow index of each passage's path by id, so a principal's full-text search checks the
    /// path of every match without reading its (large) passage row: p99 43 → 12 ms for a 1 %
    /// principal over 100,000 passages (`fullTextMatches` names it with `INDEXED BY`).
    public static let passagePaths = CatalogMigration("v28-passage-paths") { db in
        try db.execute(sql: "CREATE INDEX passage_id_path ON passage(id, path)")
    }
}

extension SealedColumn {
    /// A passage's text.
    public static let passageText = SealedColumn("passage.text")
    /// A passage's embedding: a vector says much about its text.
    public static let passageEmbedding = SealedColumn("passage.embedding")
}

extension CatalogSealingStep {
    /// Seals every passage's text and embedding and rebuilds the full-text index from keyed
    /// terms. The index is emptied first (`delete-all`), then refilled and merged into fresh
    /// segments (`optimize`), so no segment keeps a plaintext word.
    public static let passages = CatalogSealingStep("passages") { db, catalog in
        guard let hasher = catalog.termHasher else { return 0 }
        let plain = try Row.fetchAll(db, sql: "SELECT id, text, embedding FROM passage WHERE typeof(text) = 'text'")
        guard !plain.isEmpty else { return 0 }
        try db.execute(sql: "INSERT INTO passage_fts(passage_fts) VALUES ('delete-all')")
        let tokenizer = try Catalog.indexTokenizer(db)
        let update = try db.makeStatement(sql: "UPDATE passage SET text = ?, embedding = ?, terms = ? WHERE id = ?")
        for row in plain {
            let text: String = row["text"]
            let embedding: Data = row["embedding"]
            try update.execute(arguments: [
                catalog.stored(text, in: .passageText), catalog.stored(embedding, in: .passageEmbedding),
                try Catalog.terms(of: text, tokenizer: tokenizer, hasher: hasher), row["id"] as Int64,
            ])
        }
        try db.execute(sql: "INSERT INTO passage_fts(rowid, text) SELECT id, coalesce(terms, text) FROM passage")
        try db.execute(sql: "INSERT INTO passage_fts(passage_fts) VALUES ('optimize')")
        return plain.count
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

/// What the indexer writes for one file (see ``Catalog/record(_:at:)``).
package enum IndexRecord: Sendable {
    /// The file's passages, replacing any it had, and the file marked indexed at `version`.
    case passages(path: String, version: Int, passages: [(text: String, embedding: [Float])])
    /// No passages; the file recorded with `status` and `detail`, or forgotten when `status` is nil.
    case cleared(path: String, version: Int?, status: IndexedFile.Status?, detail: String?)
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
        try write { db in try insertPassages(db, of: path, version: version, passages: passages, at: date) }
    }

    /// Drops the passages of `path` and records why (or forgets the file when `status` is nil).
    func clearPassages(of path: String, version: Int?, status: IndexedFile.Status?, detail: String?, at date: Date) throws {
        try write { db in try Self.clear(db, path: path, version: version, status: status, detail: detail, at: date) }
    }

    /// Records several files in one transaction (one commit, one flush of the full-text index:
    /// many small files cost far less than a transaction each), each file in a savepoint of its
    /// own, so a file that cannot be written is rolled back alone and its error is returned in
    /// its place. Returns each passages record's row ids (empty for a cleared one).
    package func record(_ records: [IndexRecord], at date: Date) throws -> [Result<[Int64], any Error>] {
        try write { db in
            var results: [Result<[Int64], any Error>] = []
            for record in records {
                var ids: [Int64] = []
                do {
                    try db.inSavepoint {
                        switch record {
                        case .passages(let path, let version, let passages):
                            ids = try insertPassages(db, of: path, version: version, passages: passages, at: date)
                        case .cleared(let path, let version, let status, let detail):
                            try Self.clear(db, path: path, version: version, status: status, detail: detail, at: date)
                        }
                        return .commit
                    }
                    results.append(.success(ids))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    private func insertPassages(
        _ db: Database, of path: String, version: Int, passages: [(text: String, embedding: [Float])], at date: Date
    ) throws -> [Int64] {
        try db.execute(sql: "DELETE FROM passage WHERE path = ?", arguments: [path])
        var ids: [Int64] = []
        if let termHasher {
            // An encrypted home: sealed text and vector, keyed terms for the index.
            let tokenizer = try Self.indexTokenizer(db)
            let insert = try db.cachedStatement(
                sql: "INSERT INTO passage (path, version, seq, text, embedding, terms) VALUES (?, ?, ?, ?, ?, ?)")
            for (seq, passage) in passages.enumerated() {
                let blob = passage.embedding.withUnsafeBufferPointer { Data(buffer: $0) }
                try insert.execute(arguments: [
                    path, version, seq, stored(passage.text, in: .passageText), stored(blob, in: .passageEmbedding),
                    try Self.terms(of: passage.text, tokenizer: tokenizer, hasher: termHasher),
                ])
                ids.append(db.lastInsertedRowID)
            }
        } else {
            let insert = try db.cachedStatement(
                sql: "INSERT INTO passage (path, version, seq, text, embedding) VALUES (?, ?, ?, ?, ?)")
            for (seq, passage) in passages.enumerated() {
                let blob = passage.embedding.withUnsafeBufferPointer { Data(buffer: $0) }
                try insert.execute(arguments: [path, version, seq, passage.text, blob])
                ids.append(db.lastInsertedRowID)
            }
        }
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO indexed_file (path, version, passages, status, detail, indexed_at)
                VALUES (?, ?, ?, 'indexed', NULL, ?)
                """, arguments: [path, version, passages.count, date])
        return ids
    }

    private static func clear(
        _ db: Database, path: String, version: Int?, status: IndexedFile.Status?, detail: String?, at date: Date
    ) throws {
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

    /// How many files the index records with each status (counted in SQL: progress is asked
    /// often while a large folder is indexed).
    func indexedFileCounts() throws -> [IndexedFile.Status: Int] {
        try read { db in
            var counts: [IndexedFile.Status: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM indexed_file GROUP BY status") {
                counts[IndexedFile.Status(rawValue: row["status"]) ?? .failed, default: 0] += row["n"] as Int
            }
            return counts
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
            // A sealed passage (an encrypted home's) has its text as a BLOB, and its vector sealed too.
            try Row.fetchAll(db, sql: "SELECT id, path, embedding, typeof(text) = 'blob' AS sealed FROM passage").map { row in
                let data = try bytes(row["embedding"], of: .passageEmbedding, sealed: row["sealed"])
                let vector = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                return (row["id"], row["path"], vector)
            }
        }
    }

    /// Passage ids matching `query` (an FTS5 expression), best BM25 first, within `filter`.
    func fullTextMatches(_ query: String, filter: PathFilter, limit: Int) throws -> [Int64] {
        if filter.allowed == nil, filter.scopes == nil {
            // Every path: the full-text index alone answers (no passage row read per match).
            return try read { db in
                try Int64.fetchAll(
                    db, sql: "SELECT rowid FROM passage_fts WHERE passage_fts MATCH ? ORDER BY rank LIMIT ?",
                    arguments: [query, limit])
            }
        }
        let (clause, arguments) = filter.sql(column: "p.path")
        return try read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT p.id FROM passage_fts JOIN passage p INDEXED BY passage_id_path ON p.id = passage_fts.rowid
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
                rows[row["id"]] = PassageRow(
                    id: row["id"], path: row["path"], version: row["version"], seq: row["seq"],
                    text: try text(row["text"], of: .passageText))
            }
            return rows
        }
    }

    /// What the full-text index holds for each of `words` (a query's words), as an FTS5 phrase:
    /// the word itself in a plain home; in an encrypted one, the keyed terms of the tokens
    /// SQLite's tokenizer makes of it (one, or several for a word it splits).
    func indexTerms(for words: [String]) throws -> [String] {
        guard let termHasher else { return words }
        return try read { db in
            let tokenizer = try Self.indexTokenizer(db)
            return try words.map { word in
                try tokenizer.tokenize(query: word).map { termHasher.term(for: $0.token) }.joined(separator: " ")
            }.filter { !$0.isEmpty }
        }
    }

    /// The tokenizer `passage_fts` was made with, to split text the way it would.
    static func indexTokenizer(_ db: Database) throws -> any FTS5Tokenizer {
        try db.makeTokenizer(FTS5TokenizerDescriptor(components: ["unicode61", "remove_diacritics", "2"]))
    }

    /// The keyed terms of `text`, space-separated: what an encrypted home indexes for a passage.
    static func terms(of text: String, tokenizer: any FTS5Tokenizer, hasher: TermHasher) throws -> String {
        try tokenizer.tokenize(document: text).map { hasher.term(for: $0.token) }.joined(separator: " ")
    }

    /// How many passages contain each of `terms` (as the full-text index tokenises them),
    /// counted up to `limit`: a term in more passages is answered `limit`. A count walks the
    /// term's posting list, so counting a word found in most of a million passages in full
    /// would take a tenth of a second; ranking only needs to know it is past the budget.
    func documentFrequencies(of terms: [String], countingAtMost limit: Int) throws -> [String: Int] {
        try read { db in
            let statement = try db.cachedStatement(
                sql: "SELECT COUNT(*) FROM (SELECT 1 FROM passage_fts WHERE passage_fts MATCH ? LIMIT ?)")
            var counts: [String: Int] = [:]
            for term in terms {
                let phrase = "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                counts[term] = try Int.fetchOne(statement, arguments: [phrase, limit]) ?? 0
            }
            return counts
        }
    }

    /// How many passages the index holds.
    package func passageCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM passage") ?? 0 }
    }
}
