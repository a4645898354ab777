import ArgumentParser
import Foundation
import HavenServer

/// `haven witness`: this server witnesses other Havens' logs, and they witness its own.
struct WitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Witness other Havens' ledgers, so none can rewrite its history unseen.",
        discussion: """
            'haven witness add PEER' makes this server check the peer's log on every witness \
            interval (ledger.witness_interval) and cosign its checkpoints; the peer publishes the \
            cosignatures with its checkpoint. Two checkpoints of one log that do not fit together \
            are kept as evidence, shown by 'haven status' and 'haven witness list', and audited.
            """,
        subcommands: [Add.self, List.self, Check.self])

    /// `haven witness add PEER`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start witnessing a known peer's log.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The peer's name, as 'haven peer add' gave it.") var peer: String

        func run() async throws {
            let result: WitnessChecks = try await client.makeClient().post("/haven/witness", body: AddWitnessRequest(peer: peer))
            for check in result.checks { WitnessCommand.show(check) }
        }
    }

    /// `haven witness check`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every witnessed log now; exits 3 if one contradicted itself.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let result: WitnessChecks = try await client.makeClient().post("/haven/witness/check", body: [String: String]())
            for check in result.checks { WitnessCommand.show(check) }
            if result.checks.contains(where: { $0.outcome == "split_view" || $0.outcome == "rollback" }) { throw ExitCode(3) }
        }
    }

    /// `haven witness list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the logs witnessed here, this log's witnesses, and any evidence.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw("/haven/witness"), as: UTF8.self))
                return
            }
            let overview: WitnessOverview = try await client.get("/haven/witness")
            print("Witnessed here:")
            if overview.witnessed.isEmpty { print("  none") }
            for log in overview.witnessed {
                print("  \(log.origin)  \(log.url)  size \(log.size.map(String.init) ?? "-")")
            }
            print("Witnesses of this log:")
            if overview.witnesses.isEmpty { print("  none") }
            for witness in overview.witnesses {
                print("  \(witness.name)  \(witness.url)  cosigned up to \(witness.cosignedSize)"
                    + (witness.error.map { "  (last push failed: \($0))" } ?? ""))
            }
            print("Evidence of split views: \(overview.evidence.count)")
            for evidence in overview.evidence {
                print("  #\(evidence.id) \(evidence.kind) of \(evidence.origin), found \(evidence.foundAt.formatted(.iso8601))")
            }
        }
    }

    static func show(_ check: WitnessCheckReport) {
        var line = "\(check.origin): \(check.outcome)"
        if let size = check.size { line += " at size \(size)" }
        if let detail = check.detail { line += " (\(detail))" }
        print(line)
    }
}
