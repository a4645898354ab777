/// How an engine divides its time between generations and background embeddings (the
/// indexer's passages) while both have work: the background gets at most `fraction` of it.
///
/// A pure value: the engine reports how long each kind of work ran, and asks before each
/// background input whether it may run now. Only contended time counts: the engine records
/// generation steps while background work waits, background inputs while generations run, and
/// starts afresh whenever it has no generation left, so neither side banks credit while the
/// other is idle.
struct BackgroundShare: Equatable {
    /// The most of the engine's contended time that background work gets.
    let fraction: Double
    /// Seconds spent on generation steps and on background inputs since the engine was last idle.
    private(set) var foreground: Double = 0
    private(set) var background: Double = 0

    init(fraction: Double = 0.25) {
        precondition(fraction > 0 && fraction < 1, "a share is a fraction between 0 and 1")
        self.fraction = fraction
    }

    /// Whether the background's next input keeps it within its share.
    var backgroundMayRun: Bool {
        background * (1 - fraction) <= foreground * fraction
    }

    mutating func ranForeground(_ duration: Duration) {
        foreground += duration.seconds
    }

    mutating func ranBackground(_ duration: Duration) {
        background += duration.seconds
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
