import Logging

/// The engines of the models in memory: loaded on first use, kept while used, unloaded after
/// their keep-alive has passed with nothing running, and held within a memory budget (idle
/// models are evicted, least recently used first, to make room; if that is not enough the
/// load is refused). Two requests for a model that is still loading wait for the same load.
public actor LoadedModels {
    public typealias Instant = ContinuousClock.Instant

    private let configuration: EngineConfiguration
    /// Bytes all loaded models may take together; `nil` for no limit.
    private let memoryBudget: Int64?
    /// How long an idle model stays loaded by default; `nil` keeps it forever.
    private let defaultKeepAlive: Duration?
    private let logger: Logger
    /// Handed to every engine loaded: told of each finished generation (the server's metrics).
    private let observer: GenerationObserver?

    private struct Entry {
        let loading: Task<InferenceEngine, any Error>
        let estimatedBytes: Int64
        /// How long the model stays once idle; `nil` for ever.
        var keepAlive: Duration?
        /// When a request last asked for the model, or a check last found it busy.
        var lastUsed: Instant
        /// For an adapter's engine: the engine whose model it shares, which stays loaded while it is.
        var base: String? = nil
    }
    private var entries: [String: Entry] = [:]

    public init(
        configuration: EngineConfiguration, memoryBudget: Int64? = nil, keepAlive: Duration? = .seconds(300),
        logger: Logger, observer: GenerationObserver? = nil
    ) {
        self.configuration = configuration
        self.memoryBudget = memoryBudget
        self.defaultKeepAlive = keepAlive
        self.logger = logger
        self.observer = observer
    }

    /// What to do with a model after its use: keep it for a while (`.duration`), forever, or
    /// unload it as soon as it is idle (`.duration(.zero)`).
    public enum KeepAlive: Sendable, Equatable {
        case duration(Duration)
        case forever
    }

    /// The engine of model `name` whose GGUF file is `path`, loading it if needed.
    ///
    /// - Throws: ``InferenceError/memoryBudgetExceeded(model:needed:available:)`` when the model
    ///   does not fit even after evicting idle ones.
    public func engine(name: String, path: String, keepAlive: KeepAlive? = nil, now: Instant = .now) async throws -> InferenceEngine {
        if var entry = entries[name] {
            entry.lastUsed = now
            entry.keepAlive = duration(keepAlive)
            entries[name] = entry
            return try await entry.loading.value
        }
        let estimate = try GGUFFile(path: path).estimatedMemory(
            contextTokens: configuration.parallel * configuration.contextPerSequence)
        try await makeRoom(for: estimate, model: name)
        let configuration = configuration
        let logger = logger
        let observer = observer
        let loading = Task {
            let clock = ContinuousClock()
            let start = clock.now
            let engine = try InferenceEngine(
                name: name, path: path, configuration: configuration, logger: logger, observer: observer)
            logger.info("model loaded", metadata: ["model": "\(name)", "seconds": "\(clock.now - start)"])
            return engine
        }
        entries[name] = Entry(loading: loading, estimatedBytes: estimate, keepAlive: duration(keepAlive), lastUsed: now)
        do {
            return try await loading.value
        } catch {
            entries[name] = nil
            throw error
        }
    }

    /// The engine that runs `adapter` on model `base` (GGUF `path`), named `name`: the base's
    /// engine is loaded first (or reused) and its weights shared; only a context of its own and
    /// the adapter's tensors are added, which is what the memory budget is charged.
    public func engine(
        name: String, base: String, path: String, adapter: AdapterSpec, keepAlive: KeepAlive? = nil, now: Instant = .now
    ) async throws -> InferenceEngine {
        if var entry = entries[name] {
            entry.lastUsed = now
            entry.keepAlive = duration(keepAlive)
            entries[name] = entry
            return try await entry.loading.value
        }
        let baseEngine = try await engine(name: base, path: path, keepAlive: keepAlive, now: now)
        let estimate = try GGUFFile(path: path).estimatedContextMemory(
            contextTokens: configuration.parallel * configuration.contextPerSequence,
            extra: try GGUFFile(path: adapter.path).fileSize)
        try await makeRoom(for: estimate, model: name)
        let logger = logger
        let observer = observer
        let loading = Task {
            let engine = try InferenceEngine(name: name, sharing: baseEngine, adapter: adapter, logger: logger, observer: observer)
            logger.info("adapter loaded", metadata: ["model": "\(name)", "base": "\(base)"])
            return engine
        }
        entries[name] = Entry(
            loading: loading, estimatedBytes: estimate, keepAlive: duration(keepAlive), lastUsed: now, base: base)
        do {
            return try await loading.value
        } catch {
            entries[name] = nil
            throw error
        }
    }

    /// Whether an adapter's engine that is loaded shares `name`'s model (then `name` stays).
    private func isBaseOfLoaded(_ name: String) -> Bool {
        entries.values.contains { $0.base == name }
    }

    private func duration(_ keepAlive: KeepAlive?) -> Duration? {
        switch keepAlive {
        case .forever?: nil
        case .duration(let duration)?: duration
        case nil: defaultKeepAlive
        }
    }

    private func makeRoom(for bytes: Int64, model: String) async throws {
        guard let budget = memoryBudget else { return }
        var used = entries.values.reduce(0) { $0 + $1.estimatedBytes }
        if used + bytes <= budget { return }
        for (name, entry) in entries.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }) where used + bytes > budget {
            guard entries[name] != nil, !isBaseOfLoaded(name), let engine = try? await entry.loading.value, await engine.load == (0, 0) else { continue }
            entries[name] = nil
            used -= entry.estimatedBytes
            logger.info("model unloaded to make room", metadata: ["model": "\(name)", "for": "\(model)"])
        }
        guard used + bytes <= budget else {
            throw InferenceError.memoryBudgetExceeded(model: model, needed: bytes, available: max(0, budget - used))
        }
    }

    /// Unloads models whose keep-alive has passed and that run nothing; a busy model counts
    /// as used `now`. Returns the names unloaded.
    @discardableResult
    public func unloadIdle(now: Instant = .now) async -> [String] {
        var unloaded: [String] = []
        for (name, entry) in entries {
            guard let keepAlive = entry.keepAlive, !isBaseOfLoaded(name), let engine = try? await entry.loading.value
            else { continue }
            if await engine.load != (0, 0) {
                entries[name]?.lastUsed = now
                continue
            }
            if now >= entry.lastUsed + keepAlive {
                entries[name] = nil
                unloaded.append(name)
                logger.info("model unloaded after its keep-alive", metadata: ["model": "\(name)"])
            }
        }
        return unloaded.sorted()
    }

    /// How long a loaded model stays if left idle from `now`: `nil` for a model kept for ever,
    /// and its estimated memory. A model at work counts as used now. Models still loading are left out.
    public func residency(now: Instant = .now) async -> [String: (estimatedBytes: Int64, unloadsIn: Duration?)] {
        var result: [String: (Int64, Duration?)] = [:]
        for (name, entry) in entries {
            guard let engine = try? await entry.loading.value else { continue }
            let busy = await engine.load != (0, 0)
            let remaining = entry.keepAlive.map { keepAlive in
                busy ? keepAlive : max(.zero, entry.lastUsed + keepAlive - now)
            }
            result[name] = (entry.estimatedBytes, remaining)
        }
        return result
    }

    /// Names of the models in memory, with their engines.
    public func loaded() async -> [(name: String, engine: InferenceEngine)] {
        var result: [(String, InferenceEngine)] = []
        for (name, entry) in entries {
            if let engine = try? await entry.loading.value { result.append((name, engine)) }
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// Drops a model from memory now (its engine is freed when its last generation ends).
    public func unload(name: String) {
        entries[name] = nil
        for (other, entry) in entries where entry.base == name { entries[other] = nil }
    }
}
