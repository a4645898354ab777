import ArgumentParser
import Foundation
import HavenServer

/// `haven own`: ownership of your content, recorded in the ledger, and the licences you give.
struct OwnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "own",
        abstract: "Record ownership of your content in the ledger, license it, revoke licences, transfer it.",
        subcommands: [Mint.self, Licence.self, Revoke.self, Transfer.self, Show.self])

    /// `haven own mint PATH`: a signed mint record of the file's current version, appended to the log.
    struct Mint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that you made and own a file's current version; prints the record id.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The file, e.g. /photos/beach.jpg.") var path: String
        @Option(help: "A title for the record (default: the file name).") var title: String?
        @Option(help: "The licence the content is offered under: an ODRL policy file (JSON-LD).") var licence: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let document = try licence.map { try PolicyFile.read($0, option: "--licence") }
            let record: OwnershipRecord = try await client.makeClient().post(
                "/haven/own/mint", body: MintRequest(path: path, title: title, licence: document))
            if json { return try OwnCommand.printJSON(record) }
            print(record.id)
            StandardError.write("Minted \(path) as entry \(record.logIndex.map(String.init) ?? "?") of this server's ledger.")
        }
    }

    /// `haven own licence CID --to DID --policy FILE`: a licence record and the licensee's token.
    struct Licence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "licence",
            abstract: "License content you own to another person's Haven under an ODRL policy.",
            discussion: """
                Appends a licence record to the ledger and prints a capability token for the licensee \
                (shown once): every use of it is decided by the policy, audited with the rule that \
                decided. Revoke with 'haven own revoke RECORD'.
                """)
        @OptionGroup var client: ClientOptions
        @Argument(help: "The content id, as 'haven own mint' recorded it.") var cid: String
        @Option(help: "The licensee: a did:key.") var to: String
        @Option(help: "The policy: an ODRL 2.2 JSON-LD file in Haven's subset.") var policy: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let document = try PolicyFile.read(policy, option: "--policy")
            let issued: IssuedLicence = try await client.makeClient().post(
                "/haven/own/licence", body: LicenceRequestBody(content: cid, to: to, policy: document))
            if json { return try OwnCommand.printJSON(issued) }
            print(issued.token)
            StandardError.write(
                "Licensed \(cid) to \(to): record \(issued.record.id), entry \(issued.record.logIndex.map(String.init) ?? "?"). "
                    + "Give the token above to the licensee; revoke with 'haven own revoke \(issued.record.id)'.")
        }
    }

    /// `haven own revoke RECORD`: revokes a licence and its token.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a licence you gave; its token stops working at once.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The licence record's id.") var record: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let revoked: OwnershipRecord = try await client.makeClient().post(
                "/haven/own/revoke", body: RevokeLicenceRequest(record: record))
            if json { return try OwnCommand.printJSON(revoked) }
            print(revoked.id)
            StandardError.write("Revoked licence \(record); entry \(revoked.logIndex.map(String.init) ?? "?") of the ledger.")
        }
    }

    /// `haven own transfer CID --to DID`: gives content to another person's Haven.
    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Transfer ownership of content to a known peer, whose server records its acceptance.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The content id.") var cid: String
        @Option(help: "The new owner: a did:key of a peer added with 'haven peer add'.") var to: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let outcome: TransferOutcome = try await client.makeClient().post(
                "/haven/own/transfer", body: TransferRequest(content: cid, to: to))
            if json { return try OwnCommand.printJSON(outcome) }
            print(outcome.record.id)
            if let refusal = outcome.refusal {
                StandardError.write(
                    "Transferred \(cid) to \(to) in this ledger, but their server did not accept it: \(refusal). "
                        + "Run the same command again to deliver it again.")
                throw ExitCode(2)
            }
            StandardError.write("Transferred \(cid) to \(to); their server verified the chain and recorded its acceptance.")
        }
    }

    /// `haven own show CID`: the records about a content id, its owner and their proofs.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the ledger records about a content id, with proofs.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The content id (the manifest CID, as 'haven data log' shows it).") var cid: String

        func run() async throws {
            guard cid.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw ValidationError("'\(cid)' is not a content id")
            }
            print(String(decoding: try await client.makeClient().getRaw("/haven/own/\(cid)"), as: UTF8.self))
        }
    }

    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
