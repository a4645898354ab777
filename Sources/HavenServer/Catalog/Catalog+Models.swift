import Foundation
import GRDB
import HavenStore

/// A model the owner installed: its name in the APIs and the GGUF file in `models/`.
public struct ModelRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "model"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var name: String
    /// File name of the GGUF inside the home's `models/` directory.
    public var file: String
    public var sizeBytes: Int64
    public var addedAt: Date
    /// `general.architecture` and `general.size_label`, read once at install.
    public var architecture: String?
    public var sizeLabel: String?

    public init(name: String, file: String, sizeBytes: Int64, addedAt: Date, architecture: String? = nil, sizeLabel: String? = nil) {
        self.name = name
        self.file = file
        self.sizeBytes = sizeBytes
        self.addedAt = addedAt
        self.architecture = architecture
        self.sizeLabel = sizeLabel
    }
}

extension CatalogMigration {
    /// Installed models.
    static let models = CatalogMigration("v2-models") { db in
        try db.create(table: "model") { table in
            table.primaryKey("name", .text)
            table.column("file", .text).notNull()
            table.column("size_bytes", .integer).notNull()
            table.column("added_at", .datetime).notNull()
            table.column("architecture", .text)
            table.column("size_label", .text)
        }
    }
}

extension Catalog {
    /// Records an installed model.
    public func registerModel(_ model: ModelRecord) throws {
        do {
            try writer.write { db in try model.insert(db) }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw RegistryError.modelNameTaken(model.name)
        } catch {
            throw CatalogError.database(reason: "\(error)")
        }
    }

    /// Installed models by name.
    public func models() throws -> [ModelRecord] {
        try read { db in try ModelRecord.order(Column("name")).fetchAll(db) }
    }

    /// The installed model called `name`, if any.
    public func model(named name: String) throws -> ModelRecord? {
        try read { db in try ModelRecord.fetchOne(db, key: name) }
    }

    /// Forgets an installed model; the caller removes its file.
    public func removeModel(named name: String) throws -> ModelRecord {
        try write { db in
            guard let record = try ModelRecord.fetchOne(db, key: name) else { throw RegistryError.modelNotFound(name) }
            try record.delete(db)
            return record
        }
    }
}
