/// The catalog could not be opened or a transaction failed in SQLite.
public enum CatalogError: Error, Equatable, Sendable {
    /// The database file cannot be opened or is not a Haven catalog.
    case cannotOpen(path: String, reason: String)
    /// SQLite reported an error.
    case database(reason: String)
}

extension CatalogError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the catalog at \(path): \(reason)"
        case .database(let reason): "catalog error: \(reason)"
        }
    }
}
