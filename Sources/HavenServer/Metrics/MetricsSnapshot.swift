import HavenInference
import HavenKnowledge
import HavenStore

/// What the gauges of `/metrics` show, read at scrape time from the same sources as
/// `/haven/status`, `/haven/store` and `/haven/index`.
struct MetricsSnapshot: Sendable {
    /// One loaded model: its engine's counters and the KV cache it has room for.
    struct Model: Sendable {
        let name: String
        let counters: InferenceEngine.Counters
        let kvCacheCapacity: Int
    }

    let store: StoreStatistics
    /// Entries in the audit log (its sequence numbers start at 1 and have no gaps).
    let auditEntries: Int64
    let index: IndexProgress
    let ledgerEntries: UInt64
    let uptimeSeconds: Double
    /// Client addresses throttled now for failing to authenticate.
    let throttledClients: Int
    let models: [Model]

    /// Reads everything from the running server. Engines are read from their counters'
    /// snapshots, so a long decode batch does not hold the scrape up.
    static func read(from environment: ServerEnvironment) async throws -> MetricsSnapshot {
        var models: [Model] = []
        for (name, engine) in await environment.models.loaded() {
            models.append(
                Model(
                    name: name, counters: engine.currentCounters,
                    kvCacheCapacity: engine.configuration.parallel * engine.configuration.contextPerSequence))
        }
        return MetricsSnapshot(
            store: try environment.store.statistics(), auditEntries: try environment.audit.head()?.sequence ?? 0,
            index: try await environment.indexer.progress(), ledgerEntries: await environment.ledger.size,
            uptimeSeconds: environment.uptime, throttledClients: await environment.authenticationFailures.throttledClientCount,
            models: models)
    }
}
