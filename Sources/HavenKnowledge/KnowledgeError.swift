/// Why the knowledge index cannot do what was asked.
public enum KnowledgeError: Error, Equatable, Sendable {
    /// No model is installed to embed passages with.
    case noEmbeddingModel
}

extension KnowledgeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noEmbeddingModel:
            "no model is installed to embed passages for search; add one with 'haven model add FILE'"
        }
    }
}
