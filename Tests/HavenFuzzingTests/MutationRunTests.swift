import HavenFuzzing
import Testing

/// The unguided fuzzing `make test` runs (`haven-fuzz --mutate`): its mutations are repeatable
/// from a seed, stay within their size limit, and a run finds a planted bug that a seed is a
/// few mutations away from, while the same run on a sound target finds nothing.
@Suite struct MutationRunTests {
    @Test func theSameSeedMakesTheSameInputsAndAnotherSeedOthers() {
        let seed = Array(#"{"a":[1,2,3],"b":"text"}"#.utf8)
        func inputs(_ value: UInt64) -> [[UInt8]] {
            var mutator = Mutator(seed: value)
            return (0..<200).map { _ in mutator.mutate(seed, donor: Array("donor bytes".utf8)) }
        }
        #expect(inputs(42) == inputs(42))
        #expect(inputs(42) != inputs(43))
    }

    @Test func mutationsChangeTheInputAndStayWithinTheLimit() {
        var mutator = Mutator(seed: 7, maximumLength: 64)
        let seed = Array("GET /data/notes/a.txt HTTP/1.1".utf8)
        var current = seed
        var changed = 0
        for _ in 0..<2000 {
            current = mutator.mutate(current, donor: seed + seed + seed)
            #expect(current.count <= 64)
            if current != seed { changed += 1 }
        }
        #expect(changed >= 1900)
        // Inputs grow as well as shrink: the limit is reached from a 30-byte seed.
        var grown = 0
        for _ in 0..<500 { grown = max(grown, mutator.mutate(seed, donor: seed).count) }
        #expect(grown > seed.count)
    }

    /// A parser that breaks on a JSON number with a leading minus inside an array, two
    /// mutations away from its seed.
    static let planted = FuzzTarget(name: "planted", summary: "breaks on '[-'") { input throws(FuzzFinding) in
        if input.indices.dropLast().contains(where: { input[$0] == UInt8(ascii: "[") && input[$0 + 1] == UInt8(ascii: "-") }) {
            throw FuzzFinding("'[-' reached")
        }
    }

    @Test func aRunFindsAPlantedBugAndKeepsTheInputThatBrokeIt() {
        var mutator = Mutator(seed: 2026)
        var fed = 0
        let outcome = MutationRun.run(
            Self.planted, seeds: [Array(#"{"list":[1,2]}"#.utf8)], mutator: &mutator, maximumRuns: 200_000,
            until: .now + .seconds(120), willRun: { _ in fed += 1 })
        let finding = try? #require(outcome.finding)
        #expect(finding?.message == "'[-' reached")
        #expect(finding.map { input in (try? Self.planted.run(input.input)) == nil } == true)
        #expect(outcome.executions == fed && fed < 200_000)
    }

    @Test func aSoundTargetRunsToItsBoundWithoutFindings() {
        let sound = FuzzTarget(name: "sound", summary: "accepts anything") { _ in }
        var mutator = Mutator(seed: 2026)
        let outcome = MutationRun.run(
            sound, seeds: [Array(#"{"list":[1,2]}"#.utf8)], mutator: &mutator, maximumRuns: 5_000, until: .now + .seconds(120))
        #expect(outcome.executions == 5_000 && outcome.finding == nil)
        // A deadline already passed stops a run before its first input.
        let stopped = MutationRun.run(sound, seeds: [], mutator: &mutator, maximumRuns: 5_000, until: .now)
        #expect(stopped.executions == 0)
    }
}
