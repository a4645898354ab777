import AsyncHTTPClient
import HavenAccess
import HavenAgents
import HavenExchange
import Foundation
import HavenStore
import HavenIdentity
import HavenInference
import HavenKnowledge
import HavenLedger
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
    /// Models served by configured upstream servers (`[[inference.upstream]]`).
    let upstreams: UpstreamModels
    /// Keeps each principal's prompts in its own prefix cache on upstreams.
    let cacheSalt: CacheSalt
    /// This server's own metrics registry, served at `/metrics`.
    public let metrics: ServerMetrics
    /// Requests refused before authentication: counted, logged, and their clients throttled.
    public let authenticationFailures: AuthenticationFailures
    /// Keeps the passage index in step with the store.
    public let indexer: Indexer
    /// The agent files in `agents/`.
    public let agents: AgentRegistry
    /// Peers, signatures, transfer, mirrors and the inbox.
    public let exchange: ExchangeEnvironment
    /// This server's append-only Merkle log of ledger records, served at `/ledger/`.
    public let ledger: LedgerLog
    /// Appends to `ledger` in batches, so records appended at once share their fsyncs.
    public let ledgerAppender: LedgerAppender
    /// Witnessing: other logs this server cosigns, and the witnesses of its own.
    let witnesses: WitnessService
    /// The storage market's shards, outgoing replicas and replica keys.
    let market: StorageMarketState
    /// Replaces the built-in tools, for tests.
    let toolBoxOverride: (any ToolBox)?
    /// Training jobs (LoRA adapters from the person's data), run one at a time.
    public let training: TrainingJobs
    public let startedAt: Date
    let startInstant: ContinuousClock.Instant

    public init(
        catalog: Catalog, ownerKey: IdentityKey, configuration: Configuration, modelsDirectory: String,
        objectsDirectory: String, agentsDirectory: String? = nil, ledgerDirectory: String? = nil,
        embedder: (any Embedder)? = nil, toolBox: (any ToolBox)? = nil, logger: Logger = Logger(label: "haven.inference"),
        startedAt: Date = Date(), http: HTTPClient = .shared, trainer: Trainer? = Trainer.fromEnvironment()
    ) throws {
        self.catalog = catalog
        self.ownerKey = ownerKey
        self.store = try DataStore(
            catalog: catalog, objectsDirectory: objectsDirectory, storage: try configuration.chunkStorage(http: http),
            cache: try configuration.chunkCache(directory: objectsDirectory + "/../cache/chunks"))
        self.audit = AuditLog(catalog: catalog)
        self.configuration = configuration
        self.modelsDirectory = modelsDirectory
        self.metrics = ServerMetrics()
        self.authenticationFailures = AuthenticationFailures(policy: configuration.authenticationThrottle, metrics: metrics)
        self.models = LoadedModels(
            configuration: configuration.engineConfiguration, memoryBudget: configuration.memoryBudget,
            keepAlive: configuration.keepAlive, logger: logger, observer: metrics.generationObserver)
        self.upstreams = try UpstreamModels(configuration: configuration.upstreams, http: http)
        self.cacheSalt = CacheSalt(ownerKey: ownerKey)
        self.indexer = Indexer(
            store: store,
            embedder: embedder
                ?? EngineEmbedder(
                    catalog: catalog, models: models, modelsDirectory: modelsDirectory,
                    modelName: configuration.embeddingModel, upstreams: upstreams),
            // Saved between runs only in a plain home: the file would hold the passages' vectors
            // unsealed, and an encrypted home seals them.
            vectors: VectorIndex(file: catalog.dataKey == nil ? objectsDirectory + "/../cache/vectors.hnsw" : nil),
            logger: Logger(label: "haven.index"))
        self.agents = AgentRegistry(
            directory: agentsDirectory ?? objectsDirectory + "/../agents", knownTools: BuiltInTools.all.map(\.name))
        let indexer = self.indexer
        self.exchange = ExchangeEnvironment(
            store: store, ownerKey: ownerKey, configuration: configuration, http: http,
            onCommit: { version in await indexer.enqueue(version.path) })
        // The log is named by the owner's did:key and signed with the owner's key.
        self.ledger = try LedgerLog(
            directory: URL(fileURLWithPath: ledgerDirectory ?? objectsDirectory + "/../ledger"),
            origin: ownerKey.did.description,
            signer: try NoteSignerKey(name: ownerKey.did.description, privateKey: ownerKey.privateKey))
        self.ledgerAppender = LedgerAppender(log: ledger)
        self.witnesses = try WitnessService(
            catalog: catalog, ownerKey: ownerKey, ledger: ledger, audit: audit, clients: exchange.clients)
        self.market = StorageMarketState(
            directory: URL(fileURLWithPath: (ledgerDirectory ?? objectsDirectory + "/../ledger") + "/../market").standardizedFileURL,
            ownerKey: ownerKey)
        self.toolBoxOverride = toolBox
        self.training = TrainingJobs(
            catalog: catalog, audit: audit, directory: objectsDirectory + "/../jobs", trainer: trainer,
            inference: InferenceService(
                catalog: catalog, modelsDirectory: modelsDirectory, loaded: models, upstreams: upstreams,
                cacheSalt: cacheSalt, observer: metrics.generationObserver, audit: audit),
            store: store, indexer: indexer, logger: Logger(label: "haven.training"))
        self.startedAt = startedAt
        self.startInstant = .now
    }

    /// Search limited to what the caller may see, audited.
    public var search: PermittedSearch {
        PermittedSearch(retriever: indexer.retriever(), catalog: catalog, audit: audit)
    }

    /// The built-in tools over the data, run with a caller's rights: what agents and `/mcp` use.
    public var toolBox: any ToolBox {
        if let toolBoxOverride { return toolBoxOverride }
        let indexer = self.indexer
        return DataToolBox(
            store: store, search: search, audit: audit, peers: ExchangeMessenger(environment: self),
            onWrite: { await indexer.enqueue($0) })
    }

    /// Commits the audit log's head to the ledger and reads back the newest one.
    var auditAnchoring: AuditAnchoring {
        AuditAnchoring(audit: audit, ledger: ledger, appender: ledgerAppender)
    }

    /// Decides and audits every request on `/data`.
    var gate: DataGate {
        DataGate(catalog: catalog, audit: audit)
    }

    var inference: InferenceService {
        InferenceService(
            catalog: catalog, modelsDirectory: modelsDirectory, loaded: models, upstreams: upstreams, cacheSalt: cacheSalt,
            observer: metrics.generationObserver, audit: audit)
    }

    /// Seconds since the server started, on a monotonic clock.
    var uptime: Double {
        let elapsed = ContinuousClock.now - startInstant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
