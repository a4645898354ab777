import ArgumentParser
import Foundation
import HavenServer

/// `haven own`: ownership of your content, recorded in the ledger.
struct OwnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "own",
        abstract: "Record and show ownership of your content in the ledger.",
        subcommands: [Mint.self, Show.self])

    /// `haven own mint PATH`: a signed mint record of the file's current version, appended to the log.
    struct Mint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that you made and own a file's current version; prints the record id.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The file, e.g. /photos/beach.jpg.") var path: String
        @Option(help: "A title for the record (default: the file name).") var title: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            let record: OwnershipRecord = try await client.post("/haven/own/mint", body: MintBody(path: path, title: title))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(record), as: UTF8.self))
                return
            }
            print(record.id)
            StandardError.write("Minted \(path) as entry \(record.logIndex.map(String.init) ?? "?") of this server's ledger.")
        }
    }

    /// `haven own show CID`: the records about a content id and its owner.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the ledger records about a content id.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The content id (the manifest CID, as 'haven data log' shows it).") var cid: String

        func run() async throws {
            guard cid.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw ValidationError("'\(cid)' is not a content id")
            }
            print(String(decoding: try await client.makeClient().getRaw("/haven/own/\(cid)"), as: UTF8.self))
        }
    }
}

private struct MintBody: Encodable {
    let path: String
    let title: String?
}
