/// Who waits for an embedding: a person (a search query, `/v1/embeddings`), or nobody in
/// particular (the indexer), whose work yields to running generations.
public enum EmbeddingPriority: Sendable, Equatable {
    /// Runs as soon as the engine is between decode steps.
    case interactive
    /// Runs one input at a time, and while generations run, only within its share of the
    /// engine's time (see ``BackgroundShare``).
    case background
}
