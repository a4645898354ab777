import ArgumentParser
import Foundation
import HavenAgents
import HavenServer

/// `haven agent`: the agents in the data directory's `agents/`.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "List, show and add agents.",
        discussion: "Talk to one with 'haven chat --agent NAME', or as the model agent:NAME on /v1/chat/completions.",
        subcommands: [List.self, Show.self, Add.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List agents.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw("/haven/agents"), as: UTF8.self))
                return
            }
            let list: AgentList = try await client.get("/haven/agents")
            let rows = list.agents.map { [$0.name, $0.model ?? "(first model)", $0.tools.joined(separator: ","), $0.description] }
            print(TokenCommand.List.table(header: ["NAME", "MODEL", "TOOLS", "DESCRIPTION"], rows: rows))
            for (file, problem) in list.problems.sorted(by: { $0.key < $1.key }) {
                StandardError.write("haven: agents/\(file) is not loaded: \(problem)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an agent as JSON.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The agent's name.") var name: String

        func run() async throws {
            print(String(decoding: try await client.makeClient().getRaw("/haven/agents/\(name)"), as: UTF8.self))
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an agent from a TOML file.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The agent's TOML file.") var file: String
        @Flag(help: "Replace an agent of the same name.") var replace = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw DataTransferError.cannotRead(file) }
            let agent: AgentDefinition = try await client.makeClient().postRaw(
                "/haven/agents" + (replace ? "?replace=true" : ""), body: data, contentType: "application/toml")
            StandardError.write("Added agent \(agent.name): \(agent.description)")
        }
    }
}
