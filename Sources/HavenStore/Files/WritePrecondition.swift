/// What must hold of a path's current version for a write or deletion to go ahead, checked in
/// the same transaction as the commit (HTTP `If-Match` and `If-None-Match`).
public enum WritePrecondition: Sendable, Equatable {
    /// Write whatever is there.
    case none
    /// The path must currently have a version (`If-Match: *`).
    case exists
    /// The path's current manifest must be one of these (`If-Match: "id"`).
    case matches([ContentID])
    /// The path must not currently exist (`If-None-Match: *`), as for an append-only writer.
    case absent

    func holds(for current: ContentID?) -> Bool {
        switch self {
        case .none: true
        case .exists: current != nil
        case .matches(let ids): current.map(ids.contains) ?? false
        case .absent: current == nil
        }
    }
}
