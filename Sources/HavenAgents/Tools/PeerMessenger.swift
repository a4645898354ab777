/// The seam through which the owner's agents reach other Havens: the server implements it
/// with signed exchange requests; tests with a recording stub. HavenAgents knows nothing of
/// the protocol itself.
public protocol PeerMessenger: Sendable {
    /// Asks `agent` on `peer` (a peer name) `question`, as this server; returns its answer.
    func ask(peer: String, agent: String, question: String) async throws -> String
    /// Delivers a message to `peer`'s inbox; returns where the peer stored it.
    func send(peer: String, subject: String?, text: String) async throws -> String
}
