import Logging

/// The engines of the models in memory, loaded on first use. Two requests for a model that is
/// still loading wait for the same load.
public actor LoadedModels {
    private let configuration: EngineConfiguration
    private let logger: Logger
    private var engines: [String: Task<InferenceEngine, any Error>] = [:]

    public init(configuration: EngineConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The engine of model `name` whose GGUF file is `path`, loading it if needed.
    public func engine(name: String, path: String) async throws -> InferenceEngine {
        if let loading = engines[name] {
            return try await loading.value
        }
        let configuration = configuration
        let logger = logger
        let loading = Task {
            let clock = ContinuousClock()
            let start = clock.now
            let engine = try InferenceEngine(name: name, path: path, configuration: configuration, logger: logger)
            logger.info("model loaded", metadata: ["model": "\(name)", "seconds": "\(clock.now - start)"])
            return engine
        }
        engines[name] = loading
        do {
            return try await loading.value
        } catch {
            engines[name] = nil
            throw error
        }
    }

    /// Names of the models in memory, with their engines.
    public func loaded() async -> [(name: String, engine: InferenceEngine)] {
        var result: [(String, InferenceEngine)] = []
        for (name, task) in engines {
            if let engine = try? await task.value { result.append((name, engine)) }
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// Drops a model from memory (its engine is freed when its last generation ends).
    public func unload(name: String) {
        engines[name] = nil
    }
}
