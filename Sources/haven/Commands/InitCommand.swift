import ArgumentParser
import HavenServer
import HavenStore

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

    @Option(help: ArgumentHelp(
        "A sentence-embedding GGUF to install and embed passages with (default: $HAVEN_EMBEDDING_MODEL_FILE, as 'make run' sets it).",
        valueName: "file"))
    var embeddingModel: String?

    @Flag(help: "Encrypt the home at rest under a passphrase (asked twice, or --passphrase-fd) or a key file (--key-file).")
    var encrypt = false

    @OptionGroup var unlock: UnlockOptions

    func validate() throws {
        if unlock.given, !encrypt { throw ValidationError("--passphrase-fd and --key-file go with --encrypt") }
    }

    func run() throws {
        let model = model ?? home.environment["HAVEN_DEFAULT_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        var encryption: HavenHome.Encryption?
        if encrypt {
            encryption = HavenHome.Encryption(
                secret: try unlock.secretToEncrypt(confirm: true),
                scrypt: try UnlockOptions.scryptParameters(environment: home.environment))
        }
        let embedder = embeddingModel ?? home.environment["HAVEN_EMBEDDING_MODEL_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let result = try HavenHome.initialise(
            at: home.resolve().path, defaultModel: model, embeddingModel: embedder, encryption: encryption)
        StandardError.write("Created a\(result.encrypted ? "n encrypted" : "") Haven home at \(result.home.path)")
        if result.encrypted {
            StandardError.write("Its data key is in keyring.json, sealed under your \(encryption?.secret.kind == .keyFile ? "key file" : "passphrase"); without it the data cannot be read")
        }
        StandardError.write("Owner: \(result.owner)")
        if let installed = result.defaultModel {
            StandardError.write("Model: \(installed.name)")
        } else {
            StandardError.write("No model installed yet: add one with 'haven model add FILE.gguf'")
        }
        if let embedder = result.embeddingModel {
            StandardError.write("Embedding model: \(embedder.name) (embeds passages for search)")
        }
        StandardError.write("Owner API token (saved in \(result.home.ownerTokenFile); keep it secret):")
        print(result.ownerToken.stringValue)
        StandardError.write("Next: haven serve")
    }
}
