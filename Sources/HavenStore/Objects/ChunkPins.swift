import Synchronization

/// Chunks that writes in progress rely on, so garbage collection leaves them alone.
///
/// A write pins each chunk before it checks whether the chunk is already on disk, and unpins
/// after its catalog commit (or when it is abandoned). Collection removes chunks only while it
/// holds the same lock and skips pinned ones, so a write never builds on a chunk that is about
/// to disappear. A hold (``holdAll()``) pins every chunk at once: an export that snapshots the
/// catalog after taking one can rely on every chunk of that snapshot staying on disk.
final class ChunkPins: Sendable {
    private struct State {
        var counts: [ContentID: Int] = [:]
        /// Holds on every chunk, taken and not yet released.
        var holds = 0
    }

    private let state = Mutex(State())

    func pin(_ id: ContentID) {
        state.withLock { $0.counts[id, default: 0] += 1 }
    }

    func unpin(_ ids: some Sequence<ContentID>) {
        state.withLock { state in
            for id in ids {
                guard let count = state.counts[id] else { continue }
                state.counts[id] = count > 1 ? count - 1 : nil
            }
        }
    }

    /// Pins every chunk, present and future, until a matching ``releaseAll()``.
    func holdAll() {
        state.withLock { $0.holds += 1 }
    }

    func releaseAll() {
        state.withLock { $0.holds = max(0, $0.holds - 1) }
    }

    /// Runs `body` with the pins held still: nothing is pinned or unpinned meanwhile.
    func whileHeld<T>(_ body: (_ isPinned: (ContentID) -> Bool) throws -> T) rethrows -> T {
        try state.withLock { state in
            let snapshot = state.counts
            let everything = state.holds > 0
            return try body { everything || snapshot[$0] != nil }
        }
    }
}
