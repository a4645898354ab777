/// Keeps garbage collection's removals apart from publishing: publishers share the gate,
/// collection holds it alone, from the moment it decides which chunks go until they are gone.
///
/// Pins (``ChunkPins``) keep collection from deciding to remove a chunk a write relies on; the
/// gate covers the window pins cannot, now that removing a chunk is asynchronous (a request to
/// a remote backend): a write that pins a chunk just after collection decided to remove it, and
/// finds no catalog row for it, publishes it again only once the removal is done, so a backend
/// answering "already there" never hides a chunk about to disappear.
actor CollectionGate {
    private var sharing = 0
    private var exclusive = false
    private var waiting: [(exclusive: Bool, continuation: CheckedContinuation<Void, Never>)] = []

    /// How many are waiting for the gate (for tests that set up a race).
    var waiters: Int { waiting.count }

    /// Waits for a share of the gate (no collection removing chunks).
    func acquireShared() async {
        if !exclusive, waiting.isEmpty {
            sharing += 1
            return
        }
        await withCheckedContinuation { waiting.append((false, $0)) }
    }

    func releaseShared() {
        sharing -= 1
        wake()
    }

    /// Waits until the gate is held by no one else.
    func acquireExclusive() async {
        if !exclusive, sharing == 0, waiting.isEmpty {
            exclusive = true
            return
        }
        await withCheckedContinuation { waiting.append((true, $0)) }
    }

    func releaseExclusive() {
        exclusive = false
        wake()
    }

    /// Lets in, in arrival order, whoever the gate's state now admits.
    private func wake() {
        while let next = waiting.first {
            if next.exclusive {
                guard !exclusive, sharing == 0 else { return }
                exclusive = true
            } else {
                guard !exclusive else { return }
                sharing += 1
            }
            waiting.removeFirst()
            next.continuation.resume()
        }
    }
}
