import ArgumentParser
import Foundation
import HavenServer

/// `haven restore PATH [--to PATH]`: rebuild a backed-up folder from any K providers.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Rebuild a backed-up folder from any K of its providers, verifying every byte.",
        discussion: """
            Each shard is checked against its contract's Merkle root and its own authentication, \
            the rebuilt files against their SHA-256; nothing is written unless all of it checks \
            out. Progress goes to stderr.
            """)
    @OptionGroup var client: ClientOptions
    @Argument(help: "The folder that was backed up, e.g. /photos/.") var path: String
    @Option(help: "Where to write the files (default: the folder itself).") var to: String?
    @Option(help: "A backup's id (default: the newest of the folder).") var backup: String?
    @Flag(help: "Print the progress as NDJSON on stdout.") var json = false

    func run() async throws {
        let client = try client.makeClient()
        let lines = try await client.postStreamingLines("/haven/backups/restore", body: RestoreRequest(path: path, to: to, backup: backup))
        let decoder = JSONDecoder()
        var outcome: RestoreEvent?
        for try await line in lines where !line.isEmpty {
            if json { print(line) }
            guard let event = try? decoder.decode(RestoreEvent.self, from: Data(line.utf8)) else { continue }
            switch event.event {
            case "shard":
                if !json {
                    StandardError.write(
                        event.ok == true
                            ? "shard \(event.index ?? -1) from \(event.provider ?? "?"): \(event.bytes ?? 0) bytes, verified"
                            : "shard \(event.index ?? -1) from \(event.provider ?? "?") refused: \(event.message ?? "")")
                }
            case "file":
                if !json { StandardError.write("  \(event.path ?? "") (\(event.bytes ?? 0) bytes)") }
            default:
                outcome = event
            }
        }
        guard let outcome, outcome.event == "done" else {
            StandardError.write("error: the restore failed: " + (outcome?.message ?? "it ended without a result"))
            throw ExitCode(1)
        }
        if !json { StandardError.write("Restored \(outcome.files ?? 0) files into \(outcome.path ?? path).") }
    }
}
