import HavenAccess
import HavenAgents
import Foundation
import HavenStore
import HavenIdentity
import HavenInference
import Logging

/// What the route controllers need from the running server, handed to them explicitly.
public struct ServerEnvironment: Sendable {
    public let catalog: Catalog
    /// The owner's key: signs the capability tokens `haven share` mints.
    public let ownerKey: IdentityKey
    public var owner: DID { ownerKey.did }
    /// Files, versions and chunks.
    public let store: DataStore
    /// Every decision on data, hash-chained.
    public let audit: AuditLog
    public let configuration: Configuration
    /// Where installed models' GGUF files are.
    public let modelsDirectory: String
    /// The models in memory.
    public let models: LoadedModels
    /// The built-in tools, run with a caller's rights: what `/mcp` offers. Until the real
    /// ToolBox is wired in, ``UnavailableToolBox`` lists the tools and refuses every call.
    public let toolBox: any ToolBox
    public let startedAt: Date
    let startInstant: ContinuousClock.Instant

    public init(
        catalog: Catalog, ownerKey: IdentityKey, configuration: Configuration, modelsDirectory: String,
        objectsDirectory: String, toolBox: any ToolBox = UnavailableToolBox(),
        logger: Logger = Logger(label: "haven.inference"), startedAt: Date = Date()
    ) throws(StoreError) {
        self.catalog = catalog
        self.ownerKey = ownerKey
        self.store = try DataStore(catalog: catalog, objectsDirectory: objectsDirectory)
        self.audit = AuditLog(catalog: catalog)
        self.configuration = configuration
        self.modelsDirectory = modelsDirectory
        self.models = LoadedModels(
            configuration: configuration.engineConfiguration, memoryBudget: configuration.memoryBudget,
            keepAlive: configuration.keepAlive, logger: logger)
        self.toolBox = toolBox
        self.startedAt = startedAt
        self.startInstant = .now
    }

    /// Decides and audits every request on `/data`.
    var gate: DataGate {
        DataGate(catalog: catalog, audit: audit)
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
