import ArgumentParser
import Foundation
import HavenExchange
import HavenServer

/// `haven pull`: fetch a peer's files, verified chunk by chunk.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch files from a peer into your store, verified block by block.",
        discussion: """
            'haven pull alice:/photos/trip/ /from/alice/trip/' fetches every file the capability alice
            gave you covers, as new versions that record where they came from. Only chunks you lack are
            fetched, so an interrupted pull resumes where it stopped. --from adds more sources (peers that
            hold the same content, e.g. bob or bob:/mirror/trip/); a block that fails verification is thrown
            away and fetched from another source.
            """
    )

    @OptionGroup var client: ClientOptions
    @Argument(help: "PEER:/path on the peer (a folder ends with '/').") var source: String
    @Argument(help: "Where to put it here, e.g. /from/alice/trip/.") var destination: String
    @Option(help: "More sources, comma-separated: PEER or PEER:/path.") var from: String?
    @Option(help: "A capability token the peer issued to you, kept for later pulls.") var capability: String?
    @Option(help: "The purpose you state to the peer, for licensed content: a DPV term such as dpv:ResearchAndDevelopment.")
    var purpose: String?
    @Flag(help: "Print the final report as JSON.") var json = false

    func validate() throws {
        guard source.contains(":/") else { throw ValidationError("the source is PEER:/path, e.g. alice:/photos/trip/") }
        _ = try DataCommand.parsePath(destination)
    }

    func run() async throws {
        let client = try client.makeClient()
        let extra = from.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        var status: PullStatus = try await client.post(
            "/haven/pulls",
            body: StartPullRequest(source: source, destination: destination, from: extra, capability: capability, purpose: purpose))
        let meter = json ? nil : ProgressMeter(total: nil, label: "pulling")
        // The server runs the pull; this only watches it.
        while status.report.state == .listing || status.report.state == .fetching {
            try await Task.sleep(for: .milliseconds(200))
            status = try await client.get("/haven/pulls/\(status.id)")
            meter?.update(status.report.bytesFetched, total: status.report.bytesTotal > 0 ? status.report.bytesTotal : nil)
        }
        meter?.finish()
        let report = status.report
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        }
        guard report.state == .done else {
            throw PullFailed(message: report.error ?? "the pull failed")
        }
        let rejected = report.rejectedBlocks.values.reduce(0, +)
        StandardError.write(
            "Pulled \(report.filesReceived) file(s) to \(destination) (\(report.filesUnchanged) already current): "
                + "\(report.chunksFetched) chunks fetched, \(report.chunksPresent) already here"
                + (rejected > 0 ? ", \(rejected) corrupt blocks thrown away" : "") + ".")
    }
}

/// A pull that ended in failure, reported as one line.
struct PullFailed: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
