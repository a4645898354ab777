/// A change to the server's registries (API tokens, installed models) that cannot be made.
public enum RegistryError: Error, Equatable, Sendable {
    /// An active token already has this name.
    case tokenNameTaken(String)
    /// No active token has this name.
    case tokenNotFound(String)
    /// A model with this name is already installed.
    case modelNameTaken(String)
    /// No installed model has this name.
    case modelNotFound(String)
    /// The owner's token is not revoked through the token API.
    case ownerTokenProtected
}

extension RegistryError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tokenNameTaken(let name): "a token named '\(name)' already exists; revoke it first or choose another name"
        case .tokenNotFound(let name): "no active token is named '\(name)'"
        case .modelNameTaken(let name): "a model named '\(name)' is already installed"
        case .modelNotFound(let name): "model '\(name)' is not installed; see 'haven model list'"
        case .ownerTokenProtected: "the owner token cannot be revoked through the API"
        }
    }
}
