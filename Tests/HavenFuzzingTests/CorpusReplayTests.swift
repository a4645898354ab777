import Foundation
import HavenFuzzing
import Testing

/// The committed fuzzing inputs, replayed through their targets in a normal build: the seeds of
/// `Fuzz/Corpus/<target>/` and the inputs that once crashed a parser, `Fuzz/Regressions/<target>/`.
/// A parser that traps again takes the test process down; a broken invariant fails the test.
@Suite struct CorpusReplayTests {
    /// `Fuzz/` at the root of the repository, found from this file's path.
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    @Test(arguments: FuzzTarget.all.map(\.name))
    func seedsAndRegressionsRunWithoutFindings(target name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let seeds = Self.inputs(in: "Corpus", target: name)
        #expect(!seeds.isEmpty, "Fuzz/Corpus/\(name)/ holds no seeds")
        for file in seeds + Self.inputs(in: "Regressions", target: name) {
            let bytes = try [UInt8](Data(contentsOf: file))
            do {
                try target.run(bytes)
            } catch {
                Issue.record("\(file.path): \(error)")
            }
        }
    }

    @Test func everyCorpusAndRegressionFolderIsATarget() throws {
        for folder in ["Corpus", "Regressions"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: Self.fuzzDirectory.appendingPathComponent(folder).path)) ?? []
            for name in names where !name.hasPrefix(".") {
                #expect(FuzzTarget.named(name) != nil, "Fuzz/\(folder)/\(name) names no fuzz target")
            }
        }
    }

    @Test func targetNamesAreUniqueCorpusFolderNames() {
        let names = FuzzTarget.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } })
    }

    /// The files of `Fuzz/<folder>/<target>/`, sorted; none when the folder does not exist.
    static func inputs(in folder: String, target: String) -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }
}
