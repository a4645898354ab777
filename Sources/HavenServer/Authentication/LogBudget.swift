/// How many lines of one kind may be logged per window of time, so a flood of failed requests
/// cannot flood the log: beyond the budget, lines are counted instead, and the first line of the
/// next window says how many were left out.
public struct LogBudget: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// What to do with one line.
    public enum Decision: Sendable, Equatable {
        /// Log it, after a line saying that `suppressed` lines were left out before it (if any).
        case log(suppressed: Int)
        /// Leave it out; it is counted.
        case suppress
    }

    public let linesPerWindow: Int
    public let window: Duration
    private var windowStart: Instant?
    private var logged = 0
    private var suppressed = 0

    public init(linesPerWindow: Int = 20, window: Duration = .seconds(60)) {
        self.linesPerWindow = linesPerWindow
        self.window = window
    }

    /// Decides about one line at `now`.
    public mutating func admit(at now: Instant) -> Decision {
        if windowStart.map({ now - $0 >= window }) ?? true {
            windowStart = now
            logged = 0
        }
        guard logged < linesPerWindow else {
            suppressed += 1
            return .suppress
        }
        logged += 1
        defer { suppressed = 0 }
        return .log(suppressed: suppressed)
    }
}
