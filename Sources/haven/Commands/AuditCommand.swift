import ArgumentParser
import Foundation
import HavenAccess
import HavenServer

/// `haven audit`: read and verify the hash-chained log of every decision on data.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read and verify the audit log of every decision on data.",
        subcommands: [List.self, Verify.self, Anchor.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show decisions, newest first.")
        @OptionGroup var client: ClientOptions
        @Option(help: "Only decisions on this path or below it.") var path: String?
        @Option(help: "Only decisions about this principal (owner, app:NAME, did:key:…).") var principal: String?
        @Option(help: "Only 'allowed' or only 'denied' decisions.") var decision: String?
        @Option(help: "At most this many entries.") var limit: Int = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            var query: [String] = ["limit=\(limit)"]
            if let path { query.append("path=" + Self.encode(path)) }
            if let principal { query.append("principal=" + Self.encode(principal)) }
            if let decision { query.append("decision=" + Self.encode(decision)) }
            let url = "/haven/audit?" + query.joined(separator: "&")
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw(url), as: UTF8.self))
                return
            }
            let listing: AuditListing = try await client.get(url)
            let rows = listing.entries.map { entry in
                [String(entry.sequence), TokenCommand.List.format(entry.time), entry.allowed ? "allow" : "DENY",
                 entry.principal, entry.action, entry.resource, entry.reason]
            }
            print(TokenCommand.List.table(header: ["#", "TIME", "DECISION", "PRINCIPAL", "ACTION", "PATH", "REASON"], rows: rows))
        }

        static func encode(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        }
    }

    /// `haven audit anchor`: commits the audit log's head to the ledger now (the server also
    /// does so every `ledger.witness_interval`).
    struct Anchor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Anchor the audit log's newest entry in the ledger now, so removing it is detected.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let result: AuditAnchorResponse = try await client.makeClient().post("/haven/audit/anchor", body: [String: String]())
            guard let anchor = result.anchor else {
                print("The audit log is empty: nothing to anchor.")
                return
            }
            print((result.appended ? "Anchored" : "Already anchored") + " entry \(anchor.sequence) (\(anchor.hash.prefix(16))…) in the ledger.")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the hash chain; report the first altered or missing entry.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let result: AuditVerification = try await client.makeClient().get("/haven/audit/verify")
            if let problem = result.problem {
                StandardError.write("haven: the audit log is broken at entry \(problem.sequence): \(problem.reason)")
                throw ExitCode(1)
            }
            print(
                "The audit log is intact: \(result.entries) entries verified"
                    + (result.anchored.map { ", up to entry \($0) anchored in the ledger." } ?? "; none is anchored in the ledger yet."))
        }
    }
}
