import ArgumentParser
import Foundation
import HavenServer

/// `haven search "…"`: the passages of your files that best match, among those you may read.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search your files' text (full text and meaning, combined).")
    @OptionGroup var client: ClientOptions
    @Argument(help: "What to look for.") var query: String
    @Option(name: .shortAndLong, help: "How many passages (1–50).") var k = 5
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let escaped = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let url = "/haven/search?q=\(escaped)&k=\(k)"
        let client = try client.makeClient()
        if json {
            print(String(decoding: try await client.getRaw(url), as: UTF8.self))
            return
        }
        let answer: SearchResponse = try await client.get(url)
        if answer.hits.isEmpty { StandardError.write("No passages match.") }
        for hit in answer.hits {
            print("\(hit.path) (v\(hit.version), passage \(hit.passage), score \(String(format: "%.4f", hit.score)))")
            print("    " + hit.snippet.replacingOccurrences(of: "\n", with: " "))
        }
    }
}

/// `haven index`: where the indexer stands, and rebuilding the index.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Show or rebuild the search index.", subcommands: [Status.self, Rebuild.self],
        defaultSubcommand: Status.self)

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Files indexed, skipped, failed and waiting.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Show progress until nothing waits to be indexed (a folder just stored, a restart) and the vector index is loaded, then the counts.")
        var wait = false

        func run() async throws {
            let client = try client.makeClient()
            var progress: IndexProgressView = try await client.get("/haven/index")
            if wait, progress.pending > 0 || progress.vectorsLoading == true {
                // Files keep arriving while a folder is stored: the total is what is done plus what waits.
                let meter = ProgressMeter(total: Int64(progress.indexed + progress.pending), label: "indexing", unit: .items)
                while progress.pending > 0 || progress.vectorsLoading == true {
                    meter.update(Int64(progress.indexed), total: Int64(progress.indexed + progress.pending))
                    try await Task.sleep(for: .milliseconds(250))
                    progress = try await client.get("/haven/index")
                }
                meter.finish()
            }
            print("\(progress.indexed) files indexed (\(progress.passages) passages), \(progress.skipped) skipped, "
                + "\(progress.failed) failed, \(progress.pending) waiting")
            if progress.vectorsLoading == true {
                print("the vector index is still loading: search ranks by full text alone until it is ready")
            }
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop the index and index every file again.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let client = try client.makeClient()
            let started: IndexProgressView = try await client.post("/haven/index/rebuild", body: [String: String]())
            let total = Int64(max(started.pending, 1))
            let meter = ProgressMeter(total: total, label: "indexing", unit: .items)
            var progress = started
            while progress.pending > 0 {
                meter.update(total - Int64(progress.pending))
                try await Task.sleep(for: .milliseconds(250))
                progress = try await client.get("/haven/index")
            }
            meter.update(total)
            meter.finish()
            StandardError.write("Indexed \(progress.indexed) files (\(progress.passages) passages); \(progress.skipped) skipped, \(progress.failed) failed.")
        }
    }
}

/// What `GET /haven/index` answers.
struct IndexProgressView: Decodable {
    let pending: Int
    let indexed: Int
    let skipped: Int
    let failed: Int
    let passages: Int
    /// Absent from servers older than this field.
    let vectorsLoading: Bool?

    enum CodingKeys: String, CodingKey {
        case pending, indexed, skipped, failed, passages
        case vectorsLoading = "vectors_loading"
    }
}
