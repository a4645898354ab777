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

    func run() throws {
        let result = try HavenHome.initialise(at: home.resolve().path)
        StandardError.write("Created a Haven home at \(result.home.path)")
        StandardError.write("Owner: \(result.owner)")
        StandardError.write("Owner API token (saved in \(result.home.ownerTokenFile); keep it secret):")
        print(result.ownerToken.stringValue)
        StandardError.write("Next: haven serve")
    }
}
