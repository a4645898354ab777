import ArgumentParser
import HavenServer

/// `haven ledger`: this server's append-only log of ledger records.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "This server's ledger: the append-only Merkle log other Havens witness.",
        subcommands: [Key.self, Status.self])

    /// `haven ledger key`: the verifier key, as C2SP signed notes write it.
    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the key that verifies this log's checkpoints (signed-note vkey form).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let description: LedgerDescription = try await client.makeClient().get("/haven/ledger")
            print(description.verifierKey)
        }
    }

    /// `haven ledger status`: origin, size and the latest checkpoint.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the log's origin, size and latest checkpoint.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let description: LedgerDescription = try await client.makeClient().get("/haven/ledger")
            print("origin: \(description.origin)")
            print("entries: \(description.size)")
            if let checkpoint = description.checkpoint { print(checkpoint, terminator: "") }
        }
    }
}
