import Foundation
import GRDB
import HavenStore

/// What a model made with `/api/create` adds to its weights: a system prompt and generation
/// defaults, and, for a model made from an installed one, that model's name (`base`). Such a
/// model shares its base's GGUF file (its ``ModelRecord`` names the same file) and runs on its
/// base's engine; nothing is copied.
public struct ModelProfile: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "model_profile"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// The model's name (its ``ModelRecord``).
    public var model: String
    /// The installed model whose file this one runs; `nil` when it has a file of its own.
    public var base: String?
    /// The installed adapter (``ModelAdapter``, by its model name) this model applies on its
    /// base; `nil` for the base alone.
    public var adapter: String?
    public var system: String?
    public var parameters: ModelParameters
    public var createdAt: Date

    public init(
        model: String, base: String?, adapter: String? = nil, system: String?, parameters: ModelParameters, createdAt: Date
    ) {
        self.model = model
        self.base = base
        self.adapter = adapter
        self.system = system
        self.parameters = parameters
        self.createdAt = createdAt
    }
}

extension CatalogMigration {
    /// Profiles of models made with `/api/create`.
    static let modelProfiles = CatalogMigration("v22-model-profiles") { db in
        try db.create(table: "model_profile") { table in
            table.primaryKey("model", .text)
            table.column("base", .text).indexed()
            table.column("system", .text)
            table.column("parameters", .text).notNull()
            table.column("created_at", .datetime).notNull()
        }
    }
}

extension Catalog {
    /// The profile of model `name`, if it was made with `/api/create`.
    public func modelProfile(of name: String) throws -> ModelProfile? {
        try read { db in try ModelProfile.fetchOne(db, key: name) }
    }

    /// Every model profile, by model name.
    public func modelProfiles() throws -> [String: ModelProfile] {
        try read { db in
            Dictionary(uniqueKeysWithValues: try ModelProfile.fetchAll(db).map { ($0.model, $0) })
        }
    }

    /// Whether any model has a profile (most servers have none, and requests skip the lookup).
    public func hasModelProfiles() throws -> Bool {
        try read { db in try ModelProfile.fetchCount(db) > 0 }
    }

    /// Records a model made from the installed model `profile.base`: a row naming the base's
    /// file, and the profile, together. A model of the same name is replaced only if it too was
    /// made from another model; one with weights of its own is never overwritten.
    public func registerDerivedModel(_ record: ModelRecord, profile: ModelProfile) throws {
        precondition(profile.base != nil && profile.model == record.name)
        try write { db in
            if try ModelRecord.fetchOne(db, key: record.name) != nil {
                guard try ModelProfile.fetchOne(db, key: record.name)?.base != nil,
                    try ModelAdapter.fetchOne(db, key: record.name) == nil
                else {
                    throw ModelRecipeError.nameTaken(record.name)
                }
                _ = try ModelRecord.deleteOne(db, key: record.name)
            }
            guard try ModelRecord.fetchOne(db, key: profile.base!) != nil else {
                throw ModelRecipeError.sourceNotFound(profile.base!)
            }
            try record.insert(db)
            try profile.save(db)
        }
    }

    /// Records the profile of a model that has a file of its own.
    public func setModelProfile(_ profile: ModelProfile) throws {
        precondition(profile.base == nil)
        try write { db in
            guard try ModelRecord.fetchOne(db, key: profile.model) != nil else {
                throw RegistryError.modelNotFound(profile.model)
            }
            try profile.save(db)
        }
    }

    /// Forgets model `name` and its profile, refused while other models are made from it.
    /// Returns its record and whether another model still uses its file (then the file stays).
    public func removeModelAndProfile(named name: String) throws -> (record: ModelRecord, fileInUse: Bool) {
        try write { db in
            guard let record = try ModelRecord.fetchOne(db, key: name) else { throw RegistryError.modelNotFound(name) }
            let derived = try ModelProfile.filter(Column("base") == name).order(Column("model")).fetchAll(db).map(\.model)
            guard derived.isEmpty else { throw ModelRecipeError.baseInUse(model: name, derived: derived) }
            let users = try ModelProfile.filter(Column("adapter") == name && Column("model") != name)
                .order(Column("model")).fetchAll(db).map(\.model)
            guard users.isEmpty else { throw ModelRecipeError.baseInUse(model: name, derived: users) }
            try record.delete(db)
            _ = try ModelAdapter.deleteOne(db, key: name)
            _ = try ModelProjector.deleteOne(db, key: name)
            _ = try ModelProfile.deleteOne(db, key: name)
            let fileInUse = try ModelRecord.filter(Column("file") == record.file).fetchCount(db) > 0
            return (record, fileInUse)
        }
    }
}
