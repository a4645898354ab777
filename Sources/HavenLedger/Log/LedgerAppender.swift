/// Group commit in front of a ``LedgerLog``: appends that arrive while a batch is being
/// written wait together and go out as the next batch, so concurrent callers share the fsyncs
/// of one bundle, tile and checkpoint write instead of paying for their own.
///
/// ``append(_:)`` returns an entry's index only after the batch holding it is durable (its
/// checkpoint written), so an acknowledged entry survives a crash, as with the log itself.
/// Entries are indexed in the order they were queued. A batch that fails fails exactly its own
/// callers; the log publishes nothing of it, and the next batch is tried afresh.
///
/// No task is spawned: the caller that finds no batch in flight writes one, and on finishing
/// hands the turn to the oldest waiting caller, which writes the next batch with its entry first.
public actor LedgerAppender {
    /// The log the batches are appended to.
    public nonisolated let log: LedgerLog
    /// The most entries one batch carries; further waiting entries go in the batch after it.
    public nonisolated let maximumBatchSize: Int
    /// Batches written successfully so far: fewer than appends when appends race.
    public private(set) var batchesWritten = 0

    /// What a waiting caller is woken with: its entry's index, or the turn to write a batch.
    private enum Wakeup {
        case written(UInt64)
        case writeNextBatch
    }

    private struct Pending {
        let entry: [UInt8]
        /// `nil` for the entry of the caller that writes the batch, which needs no wakeup.
        var waiter: CheckedContinuation<Wakeup, any Error>?
    }

    private var queue: [Pending] = []
    private var writing = false
    /// Writes one batch: the log's append (tests put a gate in front of it).
    private let write: @Sendable ([[UInt8]]) async throws -> UInt64

    public init(log: LedgerLog, maximumBatchSize: Int = 4096) {
        self.init(log: log, maximumBatchSize: maximumBatchSize) { try await log.append($0) }
    }

    init(log: LedgerLog, maximumBatchSize: Int = 4096, write: @escaping @Sendable ([[UInt8]]) async throws -> UInt64) {
        precondition(maximumBatchSize > 0, "a batch holds at least one entry")
        self.log = log
        self.maximumBatchSize = maximumBatchSize
        self.write = write
    }

    /// Entries queued behind the batch in flight.
    var waiting: Int { queue.count }

    /// Appends `entry` durably and returns its index. Throws if the entry is over
    /// ``LedgerLog/maximumEntrySize`` (failing only this call) or if its batch could not be
    /// written. Once queued, an entry is written even if the calling task is cancelled.
    public func append(_ entry: [UInt8]) async throws -> UInt64 {
        guard entry.count <= LedgerLog.maximumEntrySize else {
            throw LedgerLogError.io(
                "an entry is \(entry.count) bytes; at most \(LedgerLog.maximumEntrySize) fit an entry bundle")
        }
        if writing {
            let wakeup = try await withCheckedThrowingContinuation { continuation in
                queue.append(Pending(entry: entry, waiter: continuation))
            }
            switch wakeup {
            case .written(let index): return index
            case .writeNextBatch: break  // this caller's entry now heads the queue
            }
        } else {
            writing = true
            queue.append(Pending(entry: entry, waiter: nil))
        }
        return try await writeBatch()
    }

    /// Writes the head of the queue (this caller's entry first) as one batch, wakes its
    /// callers, and passes the turn on. Returns the index of this caller's entry.
    private func writeBatch() async throws -> UInt64 {
        let batch = Array(queue.prefix(maximumBatchSize))
        queue.removeFirst(batch.count)
        defer { passTheTurn() }
        let first: UInt64
        do {
            first = try await write(batch.map(\.entry))
        } catch {
            for pending in batch { pending.waiter?.resume(throwing: error) }
            throw error
        }
        batchesWritten += 1
        for (offset, pending) in batch.enumerated() {
            pending.waiter?.resume(returning: .written(first + UInt64(offset)))
        }
        return first
    }

    /// Wakes the oldest waiting caller to write the next batch, or notes that none is in flight.
    private func passTheTurn() {
        guard let next = queue.first?.waiter else {
            writing = false
            return
        }
        queue[0].waiter = nil
        next.resume(returning: .writeNextBatch)
    }
}
