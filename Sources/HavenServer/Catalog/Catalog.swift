import Foundation
import GRDB

/// The catalog: Haven's SQLite database (WAL mode), reached only through this type's
/// intent-named methods. Migrations are named and append-only; a landed one is never edited.
public struct Catalog: Sendable {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the catalog at `path` and migrates it.
    public static func open(at path: String) throws(CatalogError) -> Catalog {
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(5)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            return try Catalog(writer: pool)
        } catch let error as CatalogError {
            throw error
        } catch let error as DatabaseError {
            throw .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// A private in-memory catalog, for tests.
    public static func inMemory() throws -> Catalog {
        try Catalog(writer: DatabaseQueue())
    }

    init(writer: any DatabaseWriter) throws(CatalogError) {
        self.writer = writer
        do {
            try Self.migrator.migrate(writer)
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

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-api-tokens") { db in
            try db.create(table: "api_token") { table in
                table.primaryKey("id", .text)
                table.column("name", .text).notNull()
                table.column("principal", .text).notNull()
                table.column("secret_hash", .blob).notNull()
                table.column("created_at", .datetime).notNull()
                table.column("revoked_at", .datetime)
            }
            // Names are unique among active tokens; a revoked name may be reused.
            try db.execute(
                sql: "CREATE UNIQUE INDEX api_token_active_name ON api_token(name) WHERE revoked_at IS NULL")
        }
        registerModelMigrations(&migrator)
        registerGrantMigrations(&migrator)
        return migrator
    }

    /// Runs `body` in a write transaction, mapping SQLite failures to ``CatalogError``.
    func write<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        do {
            return try writer.write(body)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    /// Runs `body` with a read-only snapshot, mapping SQLite failures to ``CatalogError``.
    func read<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        do {
            return try writer.read(body)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .database(reason: "\(error)")
        }
    }
}
