import Foundation
import Hummingbird

/// Body of `POST /haven/jobs`: train adapter `name` on `base` from the `data` paths, or
/// (`"type": "describe"`) describe the photos under `data` with vision model `model`. With
/// `dry_run`, nothing starts: the answer says what the job would learn from or describe.
public struct StartJobRequest: Codable, Sendable {
    /// `train` (the default) or `describe`.
    public var type: String?
    /// The adapter a training job makes.
    public var name: String?
    /// The model a training job trains on.
    public var base: String?
    /// The vision model a describe job describes with (`base` is accepted too).
    public var model: String?
    public var data: [String]
    public var steps: Int?
    public var rank: Int?
    public var dryRun: Bool?

    /// A describe job: the photos under `data`, described by vision model `model`.
    public init(describing data: [String], model: String) {
        self.type = "describe"
        self.model = model
        self.data = data
    }

    public init(name: String, base: String, data: [String], steps: Int? = nil, rank: Int? = nil, dryRun: Bool? = nil) {
        self.type = "train"
        self.name = name
        self.base = base
        self.data = data
        self.steps = steps
        self.rank = rank
        self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey {
        case type, name, base, model, data, steps, rank
        case dryRun = "dry_run"
    }
}

/// What a training job would learn from: the answer to a dry run.
public struct TrainingPlan: Codable, Sendable, ResponseEncodable {
    public var name: String
    public var base: String
    /// The files read, in order.
    public var sources: [String]
    public var trainPassages: Int
    public var heldOutPassages: Int
    /// Whether the training stack is installed on this server.
    public var trainerInstalled: Bool

    enum CodingKeys: String, CodingKey {
        case name, base, sources
        case trainPassages = "train_passages"
        case heldOutPassages = "held_out_passages"
        case trainerInstalled = "trainer_installed"
    }
}

/// Body of `GET /haven/jobs`.
public struct TrainingJobList: Codable, Sendable, ResponseEncodable {
    public var jobs: [TrainingJob]
}

extension TrainingJob: ResponseEncodable {}

/// What a describe job would describe: the answer to its dry run.
public struct DescribePlan: Codable, Sendable, ResponseEncodable {
    public var model: String
    /// The photos, in order.
    public var photos: [String]
}
