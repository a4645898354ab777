import Synchronization

/// Chunks that writes in progress rely on, so garbage collection leaves them alone.
///
/// A write pins each chunk before it checks whether the chunk is already on disk, and unpins
/// after its catalog commit (or when it is abandoned). Collection removes chunks only while it
/// holds the same lock and skips pinned ones, so a write never builds on a chunk that is about
/// to disappear.
final class ChunkPins: Sendable {
    private let counts = Mutex<[ContentID: Int]>([:])

    func pin(_ id: ContentID) {
        counts.withLock { $0[id, default: 0] += 1 }
    }

    func unpin(_ ids: some Sequence<ContentID>) {
        counts.withLock { counts in
            for id in ids {
                guard let count = counts[id] else { continue }
                counts[id] = count > 1 ? count - 1 : nil
            }
        }
    }

    /// Runs `body` with the pins held still: nothing is pinned or unpinned meanwhile.
    func whileHeld<T>(_ body: (_ isPinned: (ContentID) -> Bool) throws -> T) rethrows -> T {
        try counts.withLock { counts in
            let snapshot = counts
            return try body { snapshot[$0] != nil }
        }
    }
}
