import ArgumentParser
import Foundation
import HavenServer

/// `haven backup`: encrypted, erasure-coded backups with other Havens, bought on the storage market.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back a folder up with other Havens: K-of-N shards, each sealed under its own key.",
        discussion: """
            Each shard goes to its own provider among your peers' open offers (cheapest first), \
            under a contract both servers sign. Your server challenges each provider at \
            unpredictable times; one that fails forfeits its collateral, and its shard is rebuilt \
            from the others and placed elsewhere. 'haven restore' rebuilds from any K providers.
            """,
        subcommands: [Add.self, List.self])

    /// `haven backup add PATH --copies K-of-N`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Back a folder up; prints the backup's id.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The folder, e.g. /photos/.") var path: String
        @Option(help: "K-of-N: N shards, any K of which restore (e.g. 3-of-4).") var copies: String
        @Option(help: "Periods each contract runs (default: each offer's minimum).") var term: UInt64?
        @Option(name: .customLong("max-price"), help: "The highest price accepted, µcr per GiB per period.") var maximumPrice: Int64?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (k, n) = try Self.parseCopies(copies)
            var client = try client.makeClient()
            client.timeout = .seconds(3600)
            let view: BackupView = try await client.post(
                "/haven/backups",
                body: CreateBackupRequest(path: path, dataShards: k, totalShards: n, termPeriods: term, maximumPrice: maximumPrice))
            if json { return try OwnCommand.printJSON(view) }
            print(view.id)
            StandardError.write(
                "Backed up \(view.files) files (\(view.archiveBytes) bytes) of \(view.path) as \(view.dataShards)-of-\(view.totalShards):")
            for shard in view.shards {
                StandardError.write("  shard \(shard.index) with \(shard.peer ?? shard.provider): contract \(shard.contract), \(shard.storedBytes) bytes")
            }
        }

        /// "3-of-4" as (3, 4).
        static func parseCopies(_ text: String) throws -> (Int, Int) {
            let parts = text.split(separator: "-")
            guard parts.count == 3, parts[1] == "of", let k = Int(parts[0]), let n = Int(parts[2]), k >= 1, n > k, n <= 255 else {
                throw ValidationError("--copies takes K-of-N with 1 ≤ K < N ≤ 255, such as 3-of-4; not '\(text)'")
            }
            return (k, n)
        }
    }

    /// `haven backup list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your backups and where their shards are.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw("/haven/backups"), as: UTF8.self))
                return
            }
            let listing: BackupListing = try await client.get("/haven/backups")
            if listing.backups.isEmpty { print("No backups yet; make one with 'haven backup add PATH --copies K-of-N'.") }
            for backup in listing.backups {
                print(
                    "\(backup.id)  \(backup.path)  \(backup.createdAt.formatted(.iso8601))  \(backup.files) files"
                        + "  \(backup.archiveBytes) bytes  \(backup.dataShards)-of-\(backup.totalShards)")
                for shard in backup.shards {
                    print("    shard \(shard.index)  \(shard.peer ?? shard.provider)  \(shard.status)  \(shard.contract)")
                }
            }
        }
    }
}
