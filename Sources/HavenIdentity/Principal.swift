/// Who is asking: the owner, an application holding an API token, or another Haven (a peer,
/// known by the DID of its key).
///
/// Its string form is what grants, audit entries and the API use: `owner`, `app:NAME`, or
/// `peer:did:key:z…` (a bare `did:key:z…` is read as the same peer).
public enum Principal: Hashable, Sendable {
    /// The person who owns this Haven.
    case owner
    /// An application or device with an API token made by `haven token create --name NAME`.
    case app(String)
    /// Another person's Haven, identified by its key: a server that signs its requests, or the
    /// holder of a capability token.
    case peer(DID)

    /// Checks that an application name is usable in `app:NAME`: 1 to 64 characters of lower-case
    /// letters, digits, `-`, `_` and `.`, starting with a letter or digit.
    public static func validateAppName(_ name: String) throws(IdentityError) {
        guard !name.isEmpty, name.utf8.count <= 64 else {
            throw .invalidPrincipal(name, reason: "a name has 1 to 64 characters")
        }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard allowed else {
            throw .invalidPrincipal(name, reason: "use lower-case letters, digits, '-', '_' and '.'")
        }
        guard let first = name.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: "_"),
            first != UInt8(ascii: ".")
        else {
            throw .invalidPrincipal(name, reason: "a name starts with a letter or a digit")
        }
    }

    /// Parses `owner`, `app:NAME`, `peer:did:key:…` or `did:key:…`.
    public init(parsing string: String) throws(IdentityError) {
        if string == "owner" {
            self = .owner
        } else if string.hasPrefix("app:") {
            let name = String(string.dropFirst(4))
            try Self.validateAppName(name)
            self = .app(name)
        } else if string.hasPrefix("peer:did:") {
            self = .peer(try DID(parsing: String(string.dropFirst(5))))
        } else if string.hasPrefix("did:") {
            self = .peer(try DID(parsing: string))
        } else {
            throw .invalidPrincipal(string, reason: "expected 'owner', 'app:NAME' or 'peer:did:key:…'")
        }
    }
}

extension Principal: CustomStringConvertible {
    public var description: String {
        switch self {
        case .owner: "owner"
        case .app(let name): "app:\(name)"
        case .peer(let did): "peer:\(did)"
        }
    }
}

extension Principal: StringCodable {}
