/// Turns passages and queries into vectors. The server's embedder runs the configured model
/// in the inference engine; tests use a deterministic one.
public protocol Embedder: Sendable {
    /// One vector per text, all of the same dimension.
    func embed(_ texts: [String]) async throws -> [[Float]]
}
