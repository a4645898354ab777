/// A grant, share or audit operation that cannot be carried out, with a message the user can
/// act on.
public enum AccessError: Error, Equatable, Sendable {
    /// A right's name is not one of ``Right``'s.
    case unknownRight(String)
    /// A grant or share named no rights.
    case noRights
    /// No active grant has this id.
    case grantNotFound(String)
    /// No capability token with this id is known here.
    case shareNotFound(String)
    /// A grant or share that would be void from the start or is otherwise ill-formed.
    case invalidGrant(String)
}

extension AccessError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownRight(let name):
            "unknown right '\(name)'; rights are \(Right.allCases.map(\.rawValue).joined(separator: ", "))"
        case .noRights: "name at least one right, e.g. read,list"
        case .grantNotFound(let id): "no active grant has the id '\(id)'; see 'haven grant list'"
        case .shareNotFound(let id): "no capability token has the id '\(id)'; see 'haven share list'"
        case .invalidGrant(let reason): reason
        }
    }
}
