import ArgumentParser
import HavenServer

/// `haven init`: creates the data directory, the owner's key and the owner's API token.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a Haven data directory with a new owner identity.",
        discussion: "Prints the owner API token alone on stdout; messages go to stderr."
    )

    @OptionGroup var home: HomeOption

    @Option(help: ArgumentHelp(
        "A GGUF file to install as the first model (default: $HAVEN_DEFAULT_MODEL, as 'make run' sets it).",
        valueName: "file"))
    var model: String?

    func run() throws {
        let model = model ?? home.environment["HAVEN_DEFAULT_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        let result = try HavenHome.initialise(at: home.resolve().path, defaultModel: model)
        StandardError.write("Created a Haven home at \(result.home.path)")
        StandardError.write("Owner: \(result.owner)")
        if let installed = result.defaultModel {
            StandardError.write("Model: \(installed.name)")
        } else {
            StandardError.write("No model installed yet: add one with 'haven model add FILE.gguf'")
        }
        StandardError.write("Owner API token (saved in \(result.home.ownerTokenFile); keep it secret):")
        print(result.ownerToken.stringValue)
        StandardError.write("Next: haven serve")
    }
}
