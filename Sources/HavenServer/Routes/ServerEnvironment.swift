import Foundation
import HavenStore
import HavenIdentity
import HavenInference
import Logging

/// What the route controllers need from the running server, handed to them explicitly.
public struct ServerEnvironment: Sendable {
    public let catalog: Catalog
    public let owner: DID
    public let configuration: Configuration
    /// Where installed models' GGUF files are.
    public let modelsDirectory: String
    /// The models in memory.
    public let models: LoadedModels
    public let startedAt: Date
    let startInstant: ContinuousClock.Instant

    public init(
        catalog: Catalog, owner: DID, configuration: Configuration, modelsDirectory: String,
        logger: Logger = Logger(label: "haven.inference"), startedAt: Date = Date()
    ) {
        self.catalog = catalog
        self.owner = owner
        self.configuration = configuration
        self.modelsDirectory = modelsDirectory
        self.models = LoadedModels(
            configuration: configuration.engineConfiguration, memoryBudget: configuration.memoryBudget,
            keepAlive: configuration.keepAlive, logger: logger)
        self.startedAt = startedAt
        self.startInstant = .now
    }

    var inference: InferenceService {
        InferenceService(catalog: catalog, modelsDirectory: modelsDirectory, loaded: models)
    }

    /// Seconds since the server started, on a monotonic clock.
    var uptime: Double {
        let elapsed = ContinuousClock.now - startInstant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
