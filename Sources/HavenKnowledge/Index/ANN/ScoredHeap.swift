/// A binary max-heap of (score, slot) pairs, the priority queue of the graph search. A min-heap
/// is the same heap fed negated scores (see ``HNSWGraph/searchLayer``).
struct ScoredHeap {
    private(set) var items: [(score: Float, slot: Int32)] = []

    init(capacity: Int = 0) { items.reserveCapacity(capacity) }

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    /// The highest score, if any.
    var top: (score: Float, slot: Int32)? { items.first }

    mutating func push(_ score: Float, _ slot: Int32) {
        items.append((score, slot))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent].score < items[child].score else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    @discardableResult
    mutating func pop() -> (score: Float, slot: Int32)? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        let count = items.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let larger = right < count && items[right].score > items[left].score ? right : left
            guard items[larger].score > items[parent].score else { break }
            items.swapAt(parent, larger)
            parent = larger
        }
        return first
    }
}
