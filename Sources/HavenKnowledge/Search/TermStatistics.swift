import Synchronization

/// What full-text ranking needs to know about the index before it queries it: how many passages
/// hold each term, and how many passages there are. SQLite counts a term's passages by walking
/// its whole posting list (milliseconds for a common word at 100,000 passages), so the answers
/// are remembered between searches until the index changes: the ``Indexer`` calls
/// ``invalidate()`` whenever it writes passages.
public final class TermStatistics: Sendable {
    private struct State {
        var generation = 0
        var frequencies: [String: Int] = [:]
        var total: Int?
    }

    private let state = Mutex(State())
    /// Terms remembered at most; beyond it the memory starts again empty.
    static let capacity = 100_000

    public init() {}

    /// Forgets everything: the index changed.
    public func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.frequencies.removeAll()
            state.total = nil
        }
    }

    /// The passages the index holds, counted by `count` when not remembered.
    func total(_ count: () throws -> Int) rethrows -> Int {
        let (known, generation) = state.withLock { ($0.total, $0.generation) }
        if let known { return known }
        let counted = try count()
        state.withLock { if $0.generation == generation { $0.total = counted } }
        return counted
    }

    /// Each term's passage count, those not remembered looked up by `lookup` (at once). An
    /// answer looked up while the index changed is returned but not remembered.
    func frequencies(of terms: [String], _ lookup: ([String]) throws -> [String: Int]) rethrows -> [String: Int] {
        var known: [String: Int] = [:]
        let generation = state.withLock { state in
            for term in terms { if let value = state.frequencies[term] { known[term] = value } }
            return state.generation
        }
        let missing = terms.filter { known[$0] == nil }
        guard !missing.isEmpty else { return known }
        let looked = try lookup(missing)
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.frequencies.count + looked.count > Self.capacity { state.frequencies.removeAll() }
            state.frequencies.merge(looked) { _, new in new }
        }
        return known.merging(looked) { _, new in new }
    }
}
