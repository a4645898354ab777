import Foundation
import HavenAgents
import HavenExchange

/// How the owner's agents reach other Havens (`ask_peer`, `send_message`): signed exchange
/// requests to the peer's agent endpoint and inbox.
struct ExchangeMessenger: PeerMessenger {
    let environment: ServerEnvironment

    func ask(peer name: String, agent: String, question: String) async throws -> String {
        let peer = try environment.exchange.clients.peer(named: name)
        let body = Array(try JSONEncoder().encode(AgentChatRequest(message: question, conversationID: nil, stream: nil)))
        let encodedAgent = PeerClient.encodeQuery(agent)
        let response = try await environment.exchange.clients.client(for: peer)
            .send(.POST, "/exchange/v1/agents/\(encodedAgent)/chat", body: body, timeout: .seconds(300))
        return try response.decode(AgentTurn.self).answer
    }

    func send(peer: String, subject: String?, text: String) async throws -> String {
        try await MessageSender(environment: environment).send(to: peer, subject: subject, text: text, attach: []).path
    }
}
