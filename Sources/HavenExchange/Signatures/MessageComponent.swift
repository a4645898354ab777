/// A component a signature can cover (RFC 9421 §2): one of the derived request components this
/// layer reproduces, or a header field named in lower case.
///
/// Component parameters (`;sf`, `;key`, `;bs`, `;req`, `;tr`) are not supported: a signature
/// that uses them is refused rather than verified over a value this layer cannot rebuild.
public enum MessageComponent: Hashable, Sendable, CustomStringConvertible {
    /// `@method`: the request method.
    case method
    /// `@target-uri`: the absolute target URI.
    case targetURI
    /// `@authority`: the host, lower case, with the port unless it is the scheme's default.
    case authority
    /// `@scheme`: the URI scheme, lower case.
    case scheme
    /// `@path`: the absolute path, `/` when empty.
    case path
    /// `@query`: the query with its leading `?`, or `?` alone when there is none.
    case query
    /// `@request-target`: the path and query, as in an origin-form request line.
    case requestTarget
    /// A header field, by its lower-case name.
    case field(String)

    /// The `Content-Digest` field (RFC 9530).
    public static let contentDigest = MessageComponent.field("content-digest")

    /// Parses a component identifier as it appears in `Signature-Input`: an `@` name this layer
    /// derives, or a lower-case field name.
    public init(identifier: String) throws(SignatureError) {
        switch identifier {
        case "@method": self = .method
        case "@target-uri": self = .targetURI
        case "@authority": self = .authority
        case "@scheme": self = .scheme
        case "@path": self = .path
        case "@query": self = .query
        case "@request-target": self = .requestTarget
        default:
            // RFC 9421 §2.1: field names are lower-cased in identifiers; anything else (another
            // derived component, an upper-case or non-token name) cannot be matched faithfully.
            guard !identifier.isEmpty, identifier.utf8.allSatisfy(Self.isFieldNameCharacter) else {
                throw .unsupportedComponent(identifier)
            }
            self = .field(identifier)
        }
    }

    /// The identifier as written in `Signature-Input` and the signature base (`@method`, `date`).
    public var identifier: String {
        switch self {
        case .method: "@method"
        case .targetURI: "@target-uri"
        case .authority: "@authority"
        case .scheme: "@scheme"
        case .path: "@path"
        case .query: "@query"
        case .requestTarget: "@request-target"
        case .field(let name): name
        }
    }

    public var description: String { identifier }

    /// A lower-case `tchar` (RFC 9110 §5.6.2).
    private static func isFieldNameCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
