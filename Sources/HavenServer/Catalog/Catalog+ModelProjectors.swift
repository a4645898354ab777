import Foundation
import GRDB
import HavenStore

/// A vision model's multimodal projector (llama.cpp's "mmproj" GGUF), installed with the model
/// (`haven model add FILE --mmproj PROJ`): the file in `models/` that turns an image into
/// embeddings the model reads. A model with one can describe photos (a `describe` job).
public struct ModelProjector: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "model_projector"

    /// The model it belongs to.
    public var model: String
    /// File name inside `models/`.
    public var file: String
    /// `clip.projector_type`, e.g. `idefics3` (SmolVLM).
    public var projectorType: String
    public var sizeBytes: Int64
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case model, file
        case projectorType = "projector_type"
        case sizeBytes = "size_bytes"
        case createdAt = "created_at"
    }
}

extension CatalogMigration {
    /// Multimodal projectors of vision models, and the type of a job (`train`, `describe`).
    static let modelProjectors = CatalogMigration("v26-model-projectors") { db in
        try db.create(table: "model_projector") { table in
            table.primaryKey("model", .text)
            table.column("file", .text).notNull()
            table.column("projector_type", .text).notNull()
            table.column("size_bytes", .integer).notNull()
            table.column("created_at", .datetime).notNull()
        }
        try db.alter(table: "training_job") { table in
            table.add(column: "type", .text).notNull().defaults(to: "train")
        }
    }
}

extension Catalog {
    /// The projector model `name` sees images with: its own, or that of the model it was made
    /// from (an adapter or an `/api/create` model on a vision model keeps its eyes).
    public func modelProjector(for name: String) throws -> ModelProjector? {
        try read { db in
            if let own = try ModelProjector.fetchOne(db, key: name) { return own }
            guard let base = try ModelProfile.fetchOne(db, key: name)?.base else { return nil }
            return try ModelProjector.fetchOne(db, key: base)
        }
    }

    /// Model `name`'s own projector, if it was installed with one.
    public func ownModelProjector(named name: String) throws -> ModelProjector? {
        try read { db in try ModelProjector.fetchOne(db, key: name) }
    }

    /// Records a model and its projector together.
    public func registerModel(_ record: ModelRecord, projector: ModelProjector) throws {
        try write { db in
            guard try ModelRecord.fetchOne(db, key: record.name) == nil else { throw RegistryError.modelNameTaken(record.name) }
            try record.insert(db)
            try projector.insert(db)
        }
    }
}
