import HavenKnowledge
import Synchronization

/// An embedder that holds every call until its task is cancelled, recording what happened in
/// ``events``: for tests of what stops the indexer mid-file.
public final class HeldEmbedder: Embedder {
    public let events = Mutex<[String]>([])
    private let entered: AsyncStream<Void>
    private let enteredContinuation: AsyncStream<Void>.Continuation

    public init() {
        (entered, enteredContinuation) = AsyncStream<Void>.makeStream()
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        events.withLock { $0.append("embedding") }
        enteredContinuation.yield()
        let (cancelled, cancelledContinuation) = AsyncStream<Void>.makeStream()
        await withTaskCancellationHandler {
            for await _ in cancelled { break }
        } onCancel: {
            cancelledContinuation.finish()
        }
        events.withLock { $0.append("embedding cancelled") }
        throw CancellationError()
    }

    /// Returns once a call has begun.
    public func waitUntilEntered() async {
        var iterator = entered.makeAsyncIterator()
        _ = await iterator.next()
    }
}
