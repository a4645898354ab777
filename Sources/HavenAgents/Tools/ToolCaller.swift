import HavenAccess
import HavenIdentity

/// Whom a tool runs for: the principal whose rights apply (and the capability token it
/// presented, if any), narrowed to an agent's path scopes when an agent is acting.
public struct ToolCaller: Sendable, Equatable {
    public let principal: Principal
    public let capability: VerifiedCapability?
    /// Path prefixes the agent may touch; `nil` when no agent narrows the principal's rights.
    public let scopes: [String]?
    /// The agent acting for the principal, if any: its retrieval needs `ai` rather than `read`.
    public let agent: String?

    public init(principal: Principal, capability: VerifiedCapability? = nil, scopes: [String]? = nil, agent: String? = nil) {
        self.principal = principal
        self.capability = capability
        self.scopes = scopes
        self.agent = agent
    }
}
