import ArgumentParser
import Foundation
import HavenServer

/// `haven chat`: talk to a model in the terminal, the answer streaming as it is generated.
/// With `-p` it answers one question and exits, for scripts.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a model (interactive), or answer one prompt with -p.",
        discussion: """
            In the interactive chat, an empty line is ignored; '/bye' or end of input (Ctrl-D) ends it.
            With --agent NAME an agent answers, using tools over your data; each tool call is shown as it happens.
            """
    )

    @OptionGroup var client: ClientOptions
    @Option(help: "Model name (default: the first installed model).") var model: String?
    @Option(help: "Talk to this agent instead of a bare model (see 'haven agent list').") var agent: String?
    @Option(help: "With --agent: continue this conversation.") var conversation: String?
    @Option(name: [.customShort("p"), .long], help: "Answer this prompt and exit.") var prompt: String?
    @Option(help: "A system prompt.") var system: String?
    @Option(help: "Sampling temperature (0 = always the most likely token).") var temperature: Double?
    @Option(help: "Most tokens per answer.") var maxTokens: Int?

    struct Message: Codable {
        let role: String
        let content: String
    }

    struct Body: Encodable {
        let model: String
        let messages: [Message]
        let stream = true
        let temperature: Double?
        let maxTokens: Int?
        enum CodingKeys: String, CodingKey {
            case model, messages, stream, temperature
            case maxTokens = "max_tokens"
        }
    }

    func run() async throws {
        let client = try client.makeClient()
        if let agent {
            var chat = AgentChat(agent: agent, conversation: conversation, client: client)
            try await chat.run(prompt: prompt)
            return
        }
        let model = try await resolveModel(client)
        var messages = system.map { [Message(role: "system", content: $0)] } ?? []
        if let prompt {
            messages.append(Message(role: "user", content: prompt))
            _ = try await answer(messages, model: model, client: client)
            return
        }
        let console = ConsolePrompt(greeting: "Chatting with \(model). '/bye' or Ctrl-D to end.")
        console.start()
        while let text = console.next() {
            messages.append(Message(role: "user", content: text))
            let reply = try await answer(messages, model: model, client: client)
            messages.append(Message(role: "assistant", content: reply))
        }
    }

    private func resolveModel(_ client: HavenClient) async throws -> String {
        if let model { return model }
        let list: ModelList = try await client.get("/v1/models")
        guard let first = list.data.first else {
            throw ValidationError("no model is installed; add one with 'haven model add FILE.gguf'")
        }
        return first.id
    }

    /// Streams one answer to stdout and returns its text.
    private func answer(_ messages: [Message], model: String, client: HavenClient) async throws -> String {
        let body = Body(model: model, messages: messages, temperature: temperature, maxTokens: maxTokens)
        var reply = ""
        for try await line in try await client.postStreamingLines("/v1/chat/completions", body: body) {
            guard line.hasPrefix("data: ") else { continue }
            let payload = line.dropFirst(6)
            if payload == "[DONE]" { break }
            let chunk = try HavenClient.decoder.decode(ChatCompletionChunk.self, from: Data(payload.utf8))
            for choice in chunk.choices {
                if let content = choice.delta.content, !content.isEmpty {
                    reply += content
                    Output.write(content)
                }
            }
        }
        Output.write("\n")
        return reply
    }
}

/// Unbuffered writes to stdout, so streamed tokens appear as they arrive.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
