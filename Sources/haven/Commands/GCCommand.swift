import ArgumentParser
import HavenServer
import HavenStore

/// `haven gc`: remove chunks no kept version references, optionally pruning history first.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Free space: remove chunks that no kept version of any file references.",
        discussion: "History is kept until pruned: --keep-versions N keeps each file's newest N versions."
    )
    @OptionGroup var client: ClientOptions
    @Option(help: "Prune every file's history to its newest N versions first.") var keepVersions: Int?

    func validate() throws {
        if let keepVersions, keepVersions < 1 { throw ValidationError("--keep-versions takes a whole number from 1") }
    }

    func run() async throws {
        let report: GarbageReport = try await client.makeClient().post(
            "/haven/store/gc", body: GarbageCollectionRequest(keepVersions: keepVersions))
        StandardError.write(
            "Pruned \(report.versionsPruned) versions and \(report.manifestsRemoved) manifests; removed "
                + "\(report.chunksRemoved) chunks (\(ProgressMeter.format(Double(report.bytesFreed))) freed).")
    }
}
