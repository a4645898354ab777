import Foundation

/// The agents in `$HAVEN_HOME/agents/`, one TOML file each, read afresh on every lookup so an
/// edited file takes effect at once.
public struct AgentRegistry: Sendable {
    public let directory: String
    public let knownTools: [String]

    public init(directory: String, knownTools: [String]) {
        self.directory = directory
        self.knownTools = knownTools
    }

    /// Every agent whose file parses, by name; broken files are reported, not fatal.
    public func all() throws(AgentError) -> (agents: [AgentDefinition], problems: [String: String]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".toml") }.sorted()
        } catch {
            return ([], [:])
        }
        var agents: [AgentDefinition] = []
        var problems: [String: String] = [:]
        for file in names {
            do {
                agents.append(try load(file: directory + "/" + file))
            } catch {
                problems[file] = error.description
            }
        }
        return (agents, problems)
    }

    /// The agent called `name`.
    public func agent(named name: String) throws(AgentError) -> AgentDefinition {
        let file = directory + "/" + name + ".toml"
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }),
            FileManager.default.fileExists(atPath: file)
        else { throw .notFound(name) }
        return try load(file: file)
    }

    /// Validates `toml` and saves it as `<name>.toml`; refuses to overwrite unless `replace`.
    public func add(toml: String, replace: Bool = false) throws(AgentError) -> AgentDefinition {
        let agent = try AgentDefinition(toml: toml, knownTools: knownTools)
        let file = directory + "/" + agent.name + ".toml"
        if !replace, FileManager.default.fileExists(atPath: file) { throw .alreadyExists(agent.name) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(toml.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw .io("\(error)")
        }
        return agent
    }

    private func load(file: String) throws(AgentError) -> AgentDefinition {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw .io("cannot read \(file)")
        }
        return try AgentDefinition(toml: text, knownTools: knownTools)
    }
}
