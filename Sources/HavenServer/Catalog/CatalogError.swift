/// A catalog operation that could not be carried out.
public enum CatalogError: Error, Equatable, Sendable {
    /// The database file cannot be opened or is not a Haven catalog.
    case cannotOpen(path: String, reason: String)
    /// An active token already has this name.
    case tokenNameTaken(String)
    /// No active token has this name.
    case tokenNotFound(String)
    /// A model with this name is already installed.
    case modelNameTaken(String)
    /// No installed model has this name.
    case modelNotFound(String)
    /// No active grant has this id.
    case grantNotFound(String)
    /// The owner's token is not revoked through the token API.
    case ownerTokenProtected
    /// SQLite reported an error.
    case database(reason: String)
}

extension CatalogError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the catalog at \(path): \(reason)"
        case .tokenNameTaken(let name): "a token named '\(name)' already exists; revoke it first or choose another name"
        case .tokenNotFound(let name): "no active token is named '\(name)'"
        case .modelNameTaken(let name): "a model named '\(name)' is already installed"
        case .grantNotFound(let id): "no active grant has the id '\(id)'; see 'haven grant list'"
        case .modelNotFound(let name): "model '\(name)' is not installed; see 'haven model list'"
        case .ownerTokenProtected: "the owner token cannot be revoked through the API"
        case .database(let reason): "catalog error: \(reason)"
        }
    }
}
