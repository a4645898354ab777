import HavenInference
import HavenKnowledge
import HavenStore

/// Embeds passages with an installed model through the inference engine: the configured
/// `knowledge.embedding_model`, or the first installed model by name. A configured model that
/// only an upstream serves embeds there.
struct EngineEmbedder: Embedder {
    let catalog: Catalog
    let models: LoadedModels
    let modelsDirectory: String
    let modelName: String?
    /// Where a `knowledge.embedding_model` that no installed model has is served.
    var upstreams: UpstreamModels = UpstreamModels(endpoints: [])

    func embed(_ texts: [String]) async throws -> [[Float]] {
        try await embed(texts, priority: .interactive)
    }

    /// The indexer's passages: they yield to running generations (see ``EmbeddingPriority``).
    func embedInBackground(_ texts: [String]) async throws -> [[Float]] {
        try await embed(texts, priority: .background)
    }

    private func embed(_ texts: [String], priority: EmbeddingPriority) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let record: ModelRecord
        if let modelName, try catalog.model(named: modelName) == nil, !upstreams.upstreams(serving: modelName).isEmpty {
            // The server's own indexing, not a client's request: no caller, no cache salt.
            let backend = UpstreamBackend(model: modelName, upstreams: upstreams, cacheSalt: "haven-index", observer: nil)
            return try await backend.embed(.texts(texts)).vectors
        }
        if let modelName {
            guard let named = try catalog.model(named: modelName) else { throw RegistryError.modelNotFound(modelName) }
            record = named
        } else {
            guard let first = try catalog.models().first else {
                throw KnowledgeError.noEmbeddingModel
            }
            record = first
        }
        let engine = try await models.engine(name: record.name, path: modelsDirectory + "/" + record.file)
        let limit = engine.embeddingInputLimit
        let inputs = texts.map { text in
            let tokens = engine.tokenize(text)
            return tokens.isEmpty ? engine.tokenize(" ") : Array(tokens.prefix(limit))
        }
        return try await engine.embed(inputs, priority: priority)
    }
}
