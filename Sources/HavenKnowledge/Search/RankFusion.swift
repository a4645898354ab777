/// Reciprocal-rank fusion (Cormack et al., 2009): each list contributes `1 / (k + rank)` for
/// every item it ranks, so an item near the top of either list rises, and scores from unlike
/// scales (BM25, cosine) never need calibrating against each other.
public enum RankFusion {
    /// The conventional constant; it damps the weight of the very first ranks.
    public static let k = 60.0

    /// Fuses ranked lists of ids (best first) into ids with scores, best first; ties keep the
    /// order of first appearance.
    public static func fuse<ID: Hashable>(_ lists: [[ID]], k: Double = RankFusion.k) -> [(id: ID, score: Double)] {
        var scores: [ID: Double] = [:]
        var order: [ID] = []
        for list in lists {
            for (rank, id) in list.enumerated() {
                if scores[id] == nil { order.append(id) }
                scores[id, default: 0] += 1 / (k + Double(rank + 1))
            }
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return order.map { ($0, scores[$0]!) }.sorted { lhs, rhs in
            lhs.score != rhs.score ? lhs.score > rhs.score : position[lhs.id]! < position[rhs.id]!
        }
    }
}
