import Foundation
import GRDB
import HavenStore

/// A job: a training job (who started it, what it learns from, how far it has got and what
/// came of it) or a `describe` job (photos into text by a vision model). Jobs run one at a time
/// (``TrainingJobs``); one that was running when the server stopped is queued again at start
/// and resumes: a training job from its last checkpoint, a describe job at the next photo.
public struct TrainingJob: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "training_job"

    /// Where a job is in its life.
    public enum State: String, Codable, Sendable, DatabaseValueConvertible {
        case queued, running, evaluating, cancelling, done, failed, cancelled

        /// Whether the job has ended (nothing more will happen to it).
        public var isFinished: Bool { self == .done || self == .failed || self == .cancelled }
    }

    /// What a job does.
    public enum JobType: String, Codable, Sendable, DatabaseValueConvertible {
        /// Trains a LoRA adapter (``name``) on ``base``.
        case train
        /// Describes the photos under ``data`` with vision model ``base``; ``steps`` is the
        /// number of photos, ``step`` those done.
        case describe
    }

    public var id: String
    public var type: JobType
    /// The adapter model the job makes (a describe job: the job's own label).
    public var name: String
    /// The model it trains on, or the vision model that describes.
    public var base: String
    /// Who started it (`owner`, a key's DID, a token's principal): whose `train` rights it used.
    public var principal: String
    /// The data paths it learns from.
    public var data: [String]
    public var steps: Int
    public var rank: Int
    public var state: State
    /// The last step finished and its training loss.
    public var step: Int
    public var loss: Double?
    /// Passages trained on and held out.
    public var trainPassages: Int
    public var heldOutPassages: Int
    /// Why it failed, or what it decided (installed or not, and why).
    public var message: String?
    /// The evaluation and the scale chosen, once evaluated.
    public var result: AdapterTraining?
    /// Whether the adapter was installed as model ``name``.
    public var installed: Bool
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, type, name, base, principal, data, steps, rank, state, step, loss, message, result, installed
        case trainPassages = "train_passages"
        case heldOutPassages = "held_out_passages"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

extension CatalogMigration {
    /// Training jobs.
    static let trainingJobs = CatalogMigration("v25-training-jobs") { db in
        try db.create(table: "training_job") { table in
            table.primaryKey("id", .text)
            table.column("name", .text).notNull()
            table.column("base", .text).notNull()
            table.column("principal", .text).notNull().indexed()
            table.column("data", .text).notNull()
            table.column("steps", .integer).notNull()
            table.column("rank", .integer).notNull()
            table.column("state", .text).notNull().indexed()
            table.column("step", .integer).notNull()
            table.column("loss", .double)
            table.column("train_passages", .integer).notNull()
            table.column("held_out_passages", .integer).notNull()
            table.column("message", .text)
            table.column("result", .text)
            table.column("installed", .boolean).notNull()
            table.column("created_at", .datetime).notNull()
            table.column("started_at", .datetime)
            table.column("finished_at", .datetime)
        }
    }
}

extension Catalog {
    /// Jobs, newest first; only `principal`'s when given.
    public func trainingJobs(principal: String? = nil) throws -> [TrainingJob] {
        try read { db in
            var request = TrainingJob.order(Column("created_at").desc, Column("id").desc)
            if let principal { request = request.filter(Column("principal") == principal) }
            return try request.fetchAll(db)
        }
    }

    public func trainingJob(id: String) throws -> TrainingJob? {
        try read { db in try TrainingJob.fetchOne(db, key: id) }
    }

    /// Saves a job's new state (inserting it the first time).
    public func saveTrainingJob(_ job: TrainingJob) throws {
        try write { db in try job.save(db) }
    }
}
