/// Why an agent cannot be loaded, added or run.
public enum AgentError: Error, Equatable, Sendable {
    case invalidDefinition(String)
    case notFound(String)
    case alreadyExists(String)
    case conversationNotFound(String)
    case io(String)
}

extension AgentError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidDefinition(let reason): "invalid agent definition: \(reason)"
        case .notFound(let name): "no agent is named '\(name)'; see 'haven agent list'"
        case .alreadyExists(let name): "an agent named '\(name)' already exists"
        case .conversationNotFound(let id): "no conversation '\(id)' of yours exists; see GET /haven/conversations"
        case .io(let reason): "cannot read or write agents: \(reason)"
        }
    }
}
