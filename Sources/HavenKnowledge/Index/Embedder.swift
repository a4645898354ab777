/// Turns passages and queries into vectors. The server's embedder runs the configured model
/// in the inference engine; tests use a deterministic one.
public protocol Embedder: Sendable {
    /// One vector per text, all of the same dimension.
    func embed(_ texts: [String]) async throws -> [[Float]]

    /// The same, for work nobody is waiting on (the indexer's passages): it may yield to
    /// interactive work such as chats. By default, ``embed(_:)``.
    func embedInBackground(_ texts: [String]) async throws -> [[Float]]
}

extension Embedder {
    public func embedInBackground(_ texts: [String]) async throws -> [[Float]] {
        try await embed(texts)
    }
}
