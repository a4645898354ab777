import HavenInference
import HavenKnowledge
import HavenStore

/// Embeds passages with an installed model through the inference engine: the configured
/// `knowledge.embedding_model`, or the first installed model by name.
struct EngineEmbedder: Embedder {
    let catalog: Catalog
    let models: LoadedModels
    let modelsDirectory: String
    let modelName: String?

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
        let limit = engine.configuration.contextPerSequence
        let inputs = texts.map { text in
            let tokens = engine.tokenize(text)
            return tokens.isEmpty ? engine.tokenize(" ") : Array(tokens.prefix(limit))
        }
        return try await engine.embed(inputs, priority: priority)
    }
}
