import ArgumentParser
import Foundation
import HavenServer

extension ModelCommand {
    /// `haven model add-upstream`: appends an `[[inference.upstream]]` table to the home's
    /// `haven.toml` (configuration, not the catalog: upstreams are settings of the server, read
    /// once at start, like every other setting), checked first. `haven serve` uses it after a restart.
    struct AddUpstream: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-upstream",
            abstract: "Serve the models of an OpenAI-compatible server (vLLM, llama-server, another Haven) as this Haven's own.",
            discussion: """
                Appends an [[inference.upstream]] table to haven.toml; restart 'haven serve' to use it. \
                The key file must be mode 0600; its key is sent only to the upstream, never to clients.
                """)
        @OptionGroup var home: HomeOption
        @Argument(help: "A name for the upstream (letters, digits, '-', '_', '.').") var name: String
        @Option(name: .customLong("url"), help: ArgumentHelp("Its OpenAI base URL, such as http://10.0.0.5:8000/v1.", valueName: "url"))
        var baseURL: String
        @Option(name: .customLong("model"), help: "A model it serves (repeat for more).") var models: [String] = []
        @Option(help: ArgumentHelp("A file (mode 0600) holding its API key.", valueName: "file")) var apiKeyFile: String?
        @Option(help: ArgumentHelp("Longest wait for its next bytes, such as 60s or 5m.", valueName: "duration"))
        var timeout: String = "2m"
        @Flag(help: "Also take the overflow of an installed model of the same name: requests its full queue would refuse.")
        var overflow = false

        func validate() throws {
            if models.isEmpty { throw ValidationError("give at least one --model it serves") }
        }

        func run() async throws {
            let home = self.home.resolve()
            try home.validate()
            guard let seconds = UpstreamConfiguration.timeoutSeconds(timeout) else {
                throw ValidationError("--timeout must be a duration from 1 second to 1 hour, such as 60s or 5m")
            }
            let keyFile = apiKeyFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let upstream = UpstreamConfiguration(
                name: name, baseURL: baseURL, apiKeyFile: keyFile, models: models, timeout: seconds, overflow: overflow)
            let text = try UpstreamConfiguration.appending(upstream, to: home.readConfigurationFile())
            let path = home.configurationFile
            let mode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber) ?? 0o600
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            StandardError.write(
                "Added upstream \(name) (\(models.joined(separator: ", "))) to \(home.configurationFile); restart 'haven serve' to use it.")
        }
    }
}
