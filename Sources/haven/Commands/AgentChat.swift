import Foundation
import HavenServer

/// `haven chat --agent NAME`: a conversation with an agent, each tool call and its result
/// shown (on stderr) as it happens, the answer on stdout. The conversation continues turn by
/// turn through its id.
struct AgentChat {
    let agent: String
    var conversation: String?
    let client: HavenClient

    mutating func run(prompt: String?) async throws {
        if let prompt {
            try await turn(prompt)
            return
        }
        let console = ConsolePrompt(greeting: "Talking to agent \(agent). '/bye' or Ctrl-D to end.")
        console.start()
        while let text = console.next() {
            try await turn(text)
        }
        if let conversation { StandardError.write("Conversation \(conversation).") }
    }

    private mutating func turn(_ message: String) async throws {
        let body = AgentChatRequest(message: message, conversationID: conversation, stream: true)
        let decoder = HavenClient.decoder
        for try await line in try await client.postStreamingLines("/haven/agents/\(agent)/chat", body: body) {
            guard line.hasPrefix("data: ") else { continue }
            let payload = Data(line.dropFirst(6).utf8)
            if line.dropFirst(6) == "[DONE]" { break }
            if let turn = try? decoder.decode(AgentTurn.self, from: payload) {
                conversation = turn.conversationID
                Output.write(turn.answer + "\n")
                continue
            }
            let entry = try decoder.decode(AgentTraceEntry.self, from: payload)
            switch entry.type {
            case "tool_call":
                StandardError.write("→ \(entry.name ?? "?") \(entry.arguments ?? "")")
            case "tool_result":
                let first = (entry.text ?? "").split(separator: "\n").first.map(String.init) ?? ""
                StandardError.write("← \(entry.name ?? "?")\(entry.isError == true ? " (refused)" : ""): \(first.prefix(120))")
            default:
                break
            }
        }
    }
}
