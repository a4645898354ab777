import Foundation
import HavenIdentity

/// Remembers the nonces of verified signatures until they expire, so that a captured request
/// cannot be replayed while its signature is still accepted.
///
/// Bounded: when `capacity` live nonces are held it refuses new ones (fails closed) rather than
/// forgetting a live nonce, which would reopen the replay it guards against.
public actor NonceWindow {
    /// Most nonces held at once.
    public let capacity: Int
    /// The verifier's clock skew: a nonce is kept until its signature's `expires` plus this.
    public let skew: TimeInterval

    private struct Key: Hashable {
        let signer: DID
        let nonce: String
    }

    /// When each remembered nonce may be forgotten.
    private var forgetAt: [Key: Date] = [:]
    /// The same entries ordered by time, earliest first, for pruning without a full scan.
    private var expiries = MinimumHeap<Date, Key>()

    /// A window holding at most `capacity` nonces, each kept until `expires + skew` (use the
    /// ``RequestVerifier``'s skew).
    public init(capacity: Int = 100_000, skew: TimeInterval = 60) {
        self.capacity = capacity
        self.skew = skew
    }

    /// `false` when (signer, nonce) was already seen and has not yet aged out; otherwise
    /// remembers it until `signature.expires + skew` and returns `true`. Also `false`, without
    /// remembering, when the window is full of live nonces.
    public func admit(_ signature: VerifiedSignature, at now: Date) -> Bool {
        prune(at: now)
        let key = Key(signer: signature.signer, nonce: signature.nonce)
        guard forgetAt[key] == nil, forgetAt.count < capacity else { return false }
        let until = signature.expires.addingTimeInterval(skew)
        forgetAt[key] = until
        expiries.insert(until, key)
        return true
    }

    /// How many nonces are held.
    public var count: Int { forgetAt.count }

    /// Forgets every nonce whose signature can no longer be accepted.
    private func prune(at now: Date) {
        while let (until, key) = expiries.minimum, until < now {
            expiries.removeMinimum()
            if let current = forgetAt[key], current < now {
                forgetAt[key] = nil
            }
        }
    }
}

/// A binary min-heap of (priority, value) pairs.
private struct MinimumHeap<Priority: Comparable & Sendable, Value: Sendable>: Sendable {
    private var storage: [(priority: Priority, value: Value)] = []

    var minimum: (Priority, Value)? { storage.first.map { ($0.priority, $0.value) } }

    mutating func insert(_ priority: Priority, _ value: Value) {
        storage.append((priority, value))
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard storage[child].priority < storage[parent].priority else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeMinimum() {
        guard !storage.isEmpty else { return }
        storage.swapAt(0, storage.count - 1)
        storage.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < storage.count, storage[left].priority < storage[smallest].priority { smallest = left }
            if right < storage.count, storage[right].priority < storage[smallest].priority { smallest = right }
            guard smallest != parent else { return }
            storage.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
