import Foundation
import Hummingbird

/// Body of `POST /haven/jobs`: train adapter `name` on `base` from the `data` paths. With
/// `dry_run`, nothing starts: the answer says what the job would learn from.
public struct StartJobRequest: Codable, Sendable {
    public var type: String?
    public var name: String
    public var base: String
    public var data: [String]
    public var steps: Int?
    public var rank: Int?
    public var dryRun: Bool?

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
        case type, name, base, data, steps, rank
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
