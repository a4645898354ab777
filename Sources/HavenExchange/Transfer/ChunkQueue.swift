import HavenStore

/// The chunks a pull still needs, shared by the workers fetching them from several sources.
///
/// A worker takes a batch for its source; blocks that arrive verified are ``completed(_:)``;
/// a block that fails verification or that the source did not send is ``failed(_:source:)``
/// and goes back to the queue, never again to that source; a batch lost to a broken
/// connection is ``returned(_:)`` whole. Waiting workers are woken when work comes back or
/// when everything is done.
actor ChunkQueue {
    private var pending: [ContentID]
    private var sizes: [ContentID: Int]
    private var inFlight: Set<ContentID> = []
    private var excluded: [ContentID: Set<Int>] = [:]
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let sourceCount: Int
    /// Sources that gave up (their connection kept failing).
    private var excludedSources: Set<Int> = []
    /// Blocks no source could deliver intact.
    private(set) var unobtainable: [ContentID] = []

    init(chunks: [Manifest.Chunk], sourceCount: Int) {
        self.pending = chunks.map(\.id)
        self.sizes = Dictionary(chunks.map { ($0.id, $0.size) }, uniquingKeysWith: { first, _ in first })
        self.sourceCount = sourceCount
    }

    /// Up to `count` chunks (and at most `bytes` bytes) for `source`, or an empty batch once
    /// nothing is left that this source may fetch. Suspends while other workers hold the
    /// only remaining chunks, since a failure may send them back.
    func take(for source: Int, count: Int, bytes: Int) async -> [ContentID] {
        while true {
            var batch: [ContentID] = []
            var total = 0
            // One pass: what this source takes, and what stays, in order.
            var remaining: [ContentID] = []
            remaining.reserveCapacity(pending.count)
            for id in pending {
                if batch.count < count, total < bytes, excluded[id]?.contains(source) != true {
                    batch.append(id)
                    inFlight.insert(id)
                    total += sizes[id] ?? 0
                } else {
                    remaining.append(id)
                }
            }
            pending = remaining
            if !batch.isEmpty { return batch }
            if inFlight.isEmpty { return [] }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    func completed(_ ids: some Sequence<ContentID>) {
        for id in ids { inFlight.remove(id) }
        wake()
    }

    /// `id` did not come intact from `source`: try another, or give up when every source failed.
    func failed(_ id: ContentID, source: Int) {
        inFlight.remove(id)
        excluded[id, default: []].insert(source)
        if excluded[id, default: []].union(excludedSources).count >= sourceCount {
            unobtainable.append(id)
        } else {
            pending.append(id)
        }
        wake()
    }

    /// A batch lost with its connection: back to the queue for any source.
    func returned(_ ids: some Sequence<ContentID>) {
        for id in ids where inFlight.remove(id) != nil {
            pending.append(id)
        }
        wake()
    }

    /// A source gave up: what only it could still fetch becomes unobtainable.
    func sourceLost(_ source: Int) {
        excludedSources.insert(source)
        pending.removeAll { id in
            let tried = (excluded[id] ?? []).union(excludedSources)
            if tried.count >= sourceCount {
                unobtainable.append(id)
                return true
            }
            return false
        }
        wake()
    }

    var remaining: Int { pending.count + inFlight.count }

    private func wake() {
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }
}
