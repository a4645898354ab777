import GRDB

/// One named step of the catalog's schema. Once a migration has shipped it is never edited:
/// changes come as new migrations appended after it.
public struct CatalogMigration: Sendable {
    public let name: String
    let body: @Sendable (Database) throws -> Void

    public init(_ name: String, body: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.body = body
    }
}

/// The ordered migrations a catalog is opened with. Each target contributes its own tables;
/// the server composes them in the order they were introduced.
public struct CatalogSchema: Sendable {
    public let migrations: [CatalogMigration]

    public init(_ migrations: [CatalogMigration]) {
        self.migrations = migrations
    }

    var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.name, migrate: migration.body)
        }
        return migrator
    }
}
