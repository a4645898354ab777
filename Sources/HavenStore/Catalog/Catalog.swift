import Foundation
import GRDB

/// The catalog: Haven's SQLite database (WAL mode), reached only through intent-named methods
/// that each capability adds in its own target.
///
/// The catalog knows nothing of tokens, grants or files: it opens the database, applies the
/// ``CatalogSchema`` it is given (named, append-only migrations), and hands the targets above
/// it transactions through ``read(_:)`` and ``write(_:)``.
public struct Catalog: Sendable {
    package let writer: any DatabaseWriter
    /// The home's data key when the home is encrypted (``HomeKeyring``); `nil` for a plain home.
    public let dataKey: DataKey?
    /// Seals the columns that hold people's content, in an encrypted home.
    let columnSealer: ColumnSealer?
    /// Stands in for indexed words, in an encrypted home.
    package let termHasher: TermHasher?

    /// Opens (creating if needed) the catalog at `path` and migrates it to `schema`.
    ///
    /// With a `dataKey` (an encrypted home), the ``SealedColumn``s are sealed under it, and
    /// SQLite overwrites deleted content (`secure_delete`) so no freed page keeps it.
    public static func open(at path: String, schema: CatalogSchema, dataKey: DataKey? = nil) throws(CatalogError) -> Catalog {
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(5)
        // A commit is on disk when it returns: a revocation must survive a power cut.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if dataKey != nil { try db.execute(sql: "PRAGMA secure_delete = ON") }
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            return try Catalog(writer: pool, schema: schema, dataKey: dataKey)
        } catch let error as CatalogError {
            throw error
        } catch let error as DatabaseError {
            throw .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// A private in-memory catalog, for tests.
    public static func inMemory(schema: CatalogSchema, dataKey: DataKey? = nil) throws -> Catalog {
        try Catalog(writer: DatabaseQueue(), schema: schema, dataKey: dataKey)
    }

    init(writer: any DatabaseWriter, schema: CatalogSchema, dataKey: DataKey? = nil) throws(CatalogError) {
        self.writer = writer
        self.dataKey = dataKey
        self.columnSealer = dataKey.map(ColumnSealer.init)
        self.termHasher = dataKey.map(TermHasher.init)
        do {
            try schema.migrator.migrate(writer)
        } catch {
            throw .database(reason: "migration failed: \(error)")
        }
    }

    /// Checkpoints the write-ahead log into the database file (leaving the `-wal` file empty)
    /// and closes every connection, so a stopped server leaves a self-contained catalog.
    public func close() throws {
        try writer.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
        try writer.close()
    }

    /// Runs `body` in a write transaction. SQLite failures become ``CatalogError``; errors
    /// `body` throws itself pass through unchanged (and roll the transaction back).
    package func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.write(body)
        } catch let error as DatabaseError {
            throw CatalogError.database(reason: "\(error)")
        }
    }

    /// Runs `body` with a read-only snapshot; SQLite failures become ``CatalogError``.
    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.read(body)
        } catch let error as DatabaseError {
            throw CatalogError.database(reason: "\(error)")
        }
    }
}
