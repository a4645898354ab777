import Foundation
import GRDB
import HavenStore

/// A LoRA adapter installed as a model of its own name: the adapter's GGUF in the home's
/// `models/` directory, the installed model it runs on (`base`), the scale it applies at, and,
/// for an adapter Haven trained, how (``AdapterTraining``). Its ``ModelRecord`` names the base's
/// file and its ``ModelProfile`` names the base and this adapter, so models made from it with
/// `/api/create` keep the adapter.
public struct ModelAdapter: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "model_adapter"

    /// The adapter's model name.
    public var model: String
    public var base: String
    /// File name of the adapter GGUF inside `models/`.
    public var file: String
    public var scale: Double
    public var sizeBytes: Int64
    /// The LoRA rank and alpha read from the file.
    public var rank: Int?
    public var alpha: Double?
    /// How Haven trained it; `nil` for an adapter installed from a file.
    public var training: AdapterTraining?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case model, base, file, scale, rank, alpha, training
        case sizeBytes = "size_bytes"
        case createdAt = "created_at"
    }

    public init(
        model: String, base: String, file: String, scale: Double, sizeBytes: Int64, rank: Int?, alpha: Double?,
        training: AdapterTraining? = nil, createdAt: Date
    ) {
        self.model = model
        self.base = base
        self.file = file
        self.scale = scale
        self.sizeBytes = sizeBytes
        self.rank = rank
        self.alpha = alpha
        self.training = training
        self.createdAt = createdAt
    }
}

/// What a training job that made an adapter records with it: where its data came from, how
/// long it trained, and the perplexities it was judged by (never those on training text).
public struct AdapterTraining: Codable, Sendable, Equatable {
    public var job: String
    public var data: [String]
    public var steps: Int
    public var rank: Int
    /// Perplexity of the base and of the adapter at each scale tried, on held-out and control text.
    public var evaluation: [ScaleEvaluation]
    public var chosenScale: Double

    public init(job: String, data: [String], steps: Int, rank: Int, evaluation: [ScaleEvaluation], chosenScale: Double) {
        self.job = job
        self.data = data
        self.steps = steps
        self.rank = rank
        self.evaluation = evaluation
        self.chosenScale = chosenScale
    }

    /// Held-out and control perplexity at one scale (0: the base model alone).
    public struct ScaleEvaluation: Codable, Sendable, Equatable {
        public var scale: Double
        public var heldOut: Double
        public var control: Double

        public init(scale: Double, heldOut: Double, control: Double) {
            self.scale = scale
            self.heldOut = heldOut
            self.control = control
        }

        enum CodingKeys: String, CodingKey {
            case scale
            case heldOut = "held_out"
            case control
        }
    }

    enum CodingKeys: String, CodingKey {
        case job, data, steps, rank, evaluation
        case chosenScale = "chosen_scale"
    }
}

extension CatalogMigration {
    /// LoRA adapters installed as models, and the adapter a model's profile applies.
    static let modelAdapters = CatalogMigration("v24-model-adapters") { db in
        try db.create(table: "model_adapter") { table in
            table.primaryKey("model", .text)
            table.column("base", .text).notNull().indexed()
            table.column("file", .text).notNull()
            table.column("scale", .double).notNull()
            table.column("size_bytes", .integer).notNull()
            table.column("rank", .integer)
            table.column("alpha", .double)
            table.column("training", .text)
            table.column("created_at", .datetime).notNull()
        }
        try db.alter(table: "model_profile") { table in
            table.add(column: "adapter", .text)
        }
    }
}

extension Catalog {
    /// The adapter installed as model `name`, if it is one.
    public func modelAdapter(named name: String) throws -> ModelAdapter? {
        try read { db in try ModelAdapter.fetchOne(db, key: name) }
    }

    /// Every installed adapter, by model name.
    public func modelAdapters() throws -> [ModelAdapter] {
        try read { db in try ModelAdapter.order(Column("model")).fetchAll(db) }
    }

    /// Records adapter `adapter` as a model: its row, a model row naming the base's file, and a
    /// profile naming the base and the adapter, together. The name must be free and the base an
    /// installed model with weights of its own.
    public func registerAdapter(
        _ adapter: ModelAdapter, system: String? = nil, parameters: ModelParameters = ModelParameters()
    ) throws {
        try write { db in
            guard try ModelRecord.fetchOne(db, key: adapter.model) == nil else {
                throw RegistryError.modelNameTaken(adapter.model)
            }
            guard var record = try ModelRecord.fetchOne(db, key: adapter.base) else {
                throw RegistryError.modelNotFound(adapter.base)
            }
            guard try ModelProfile.fetchOne(db, key: adapter.base)?.base == nil else {
                throw ModelRecipeError.adapterBaseNotWeights(adapter.base)
            }
            record.name = adapter.model
            record.addedAt = adapter.createdAt
            try record.insert(db)
            try adapter.insert(db)
            try ModelProfile(
                model: adapter.model, base: adapter.base, adapter: adapter.model, system: system,
                parameters: parameters, createdAt: adapter.createdAt
            ).save(db)
        }
    }
}
