import Testing

@testable import HavenServer

/// A flood of failures cannot flood the log: lines beyond the budget are counted, and the
/// first line of the next window says how many were left out.
@Suite struct LogBudgetTests {
    @Test func linesBeyondTheBudgetAreCountedAndReportedInTheNextWindow() {
        let start = ContinuousClock.now
        var budget = LogBudget(linesPerWindow: 3, window: .seconds(60))
        let first = (0..<10).map { budget.admit(at: start + .seconds($0)) }
        #expect(first == [.log(suppressed: 0), .log(suppressed: 0), .log(suppressed: 0)] + Array(repeating: .suppress, count: 7))
        #expect(budget.admit(at: start + .seconds(59)) == .suppress)
        #expect(budget.admit(at: start + .seconds(60)) == .log(suppressed: 8))
        #expect(budget.admit(at: start + .seconds(61)) == .log(suppressed: 0))
    }
}
