/// A bounded fuzzing run of one target without coverage feedback: inputs made by a
/// ``Mutator`` from the target's seeds (and from its own last inputs, to go several mutations
/// deep), fed one by one until a number of runs or a deadline is reached, or a finding.
///
/// A parser that traps ends the process; ``run(_:seeds:mutator:maximumRuns:until:willRun:)``
/// calls `willRun` with each input before it is fed, so the caller can keep it where a crash
/// handler finds it.
public struct MutationRun: Sendable {
    /// An input that broke one of the target's invariants, and what broke.
    public struct Finding: Sendable, Equatable {
        public let input: [UInt8]
        public let message: String
    }

    /// What a run did.
    public struct Outcome: Sendable, Equatable {
        /// Inputs fed to the target.
        public let executions: Int
        /// The first finding, which ends the run; `nil` when there was none.
        public let finding: Finding?
    }

    /// After this many mutations in a chain, the next input starts again from a seed.
    static let chainLength = 16

    /// Feeds mutated inputs to `target` until `maximumRuns` or `deadline`, or a finding.
    /// With no seeds, mutations start from the empty input.
    public static func run(
        _ target: FuzzTarget, seeds: [[UInt8]], mutator: inout Mutator, maximumRuns: Int,
        until deadline: ContinuousClock.Instant, willRun: ([UInt8]) -> Void = { _ in }
    ) -> Outcome {
        let seeds = seeds.isEmpty ? [[]] : seeds
        var current = seeds[0]
        var depth = 0
        var executions = 0
        while executions < maximumRuns {
            // The clock is read every 64 inputs: cheap enough for microsecond parsers.
            if executions % 64 == 0, ContinuousClock.now >= deadline { break }
            if depth >= chainLength || mutator.next(below: 2) == 0 {
                current = seeds[mutator.next(below: seeds.count)]
                depth = 0
            }
            let donor = seeds[mutator.next(below: seeds.count)]
            current = mutator.mutate(current, donor: donor)
            depth += 1
            willRun(current)
            executions += 1
            do {
                try target.run(current)
            } catch {
                return Outcome(executions: executions, finding: Finding(input: current, message: error.message))
            }
        }
        return Outcome(executions: executions, finding: nil)
    }
}
