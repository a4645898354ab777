import Testing

@testable import HavenInference

@Suite struct BatchPlannerTests {
    @Test func everyGeneratingSequenceAdvancesByOneTokenPerStep() {
        let plan = BatchPlanner.plan(generating: [0, 2, 3], prefilling: [], capacity: 512)
        #expect(plan.generating == [0, 2, 3])
        #expect(plan.tokenCount == 3)
    }

    @Test func promptChunksFillTheRoomLeftOldestFirst() {
        let plan = BatchPlanner.plan(
            generating: [1, 2],
            prefilling: [.init(sequence: 0, remaining: 300), .init(sequence: 3, remaining: 400)],
            capacity: 512)
        #expect(plan.generating == [1, 2])
        #expect(plan.prompt == [.init(sequence: 0, remaining: 300), .init(sequence: 3, remaining: 210)])
        #expect(plan.tokenCount == 512)
    }

    @Test func aLongPromptDoesNotStallRunningGenerations() {
        // A 5,000-token prompt takes many steps, and in each of them the running stream advances.
        var remaining = 5_000
        var steps = 0
        while remaining > 0 {
            let plan = BatchPlanner.plan(
                generating: [1], prefilling: [.init(sequence: 0, remaining: remaining)], capacity: 512)
            #expect(plan.generating == [1])
            remaining -= plan.prompt.first?.remaining ?? 0
            steps += 1
        }
        #expect(steps == Int((5_000.0 / 511).rounded(.up)))
    }

    @Test func commonPrefixLength() {
        #expect(BatchPlanner.commonPrefixLength([1, 2, 3, 4], [1, 2, 5]) == 2)
        #expect(BatchPlanner.commonPrefixLength([], [1]) == 0)
        #expect(BatchPlanner.commonPrefixLength([1, 2], [1, 2, 3]) == 2)
    }
}
