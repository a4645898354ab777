/// A set of paths kept in UTF-8 byte order, so the paths under a prefix are one contiguous run
/// found by binary search: a permission filter of a few prefixes is resolved in
/// O(prefixes × log n + matches) instead of deciding every path of the archive.
struct SortedPaths: Sendable, Equatable {
    private(set) var paths: [String] = []

    init() {}

    /// The paths of `unsorted` (duplicates kept once).
    init<S: Sequence>(_ unsorted: S) where S.Element == String {
        var seen = Set<String>()
        paths = unsorted.filter { seen.insert($0).inserted }.sorted(by: Self.precedes)
    }

    var count: Int { paths.count }

    /// Adds `path` unless it is there.
    mutating func insert(_ path: String) {
        let index = lowerBound(path)
        if index < paths.count, paths[index] == path { return }
        paths.insert(path, at: index)
    }

    /// Removes `path` if it is there.
    mutating func remove(_ path: String) {
        let index = lowerBound(path)
        if index < paths.count, paths[index] == path { paths.remove(at: index) }
    }

    /// Every path whose bytes start with one of `prefixes`, each once, in order. A caller still
    /// decides each with its own rule (`/notes` must not reach `/notes2`); this only narrows.
    func starting(with prefixes: [String]) -> [String] {
        // Prefixes covered by a shorter one add nothing; the rest give disjoint runs.
        let sorted = prefixes.sorted(by: Self.precedes)
        var kept: [String] = []
        for prefix in sorted where !(kept.last.map { prefix.utf8.starts(with: $0.utf8) } ?? false) {
            kept.append(prefix)
        }
        var found: [String] = []
        for prefix in kept {
            var index = lowerBound(prefix)
            while index < paths.count, paths[index].utf8.starts(with: prefix.utf8) {
                found.append(paths[index])
                index += 1
            }
        }
        return found
    }

    /// The first position whose path does not precede `path`.
    private func lowerBound(_ path: String) -> Int {
        var low = 0
        var high = paths.count
        while low < high {
            let middle = (low + high) / 2
            if Self.precedes(paths[middle], path) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Byte order: a prefix sorts before everything that extends it, so runs are contiguous.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
