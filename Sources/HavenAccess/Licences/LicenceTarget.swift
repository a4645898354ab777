/// The content a licence rule is about: a content id (`bafkrei…`, `baguqeera…`) or another
/// identifier without spaces, compared exactly as written.
public struct LicenceTarget: Hashable, Sendable, CustomStringConvertible {
    /// The identifier as written.
    public let id: String

    /// Accepts 1–2048 bytes of visible ASCII other than the characters IRIs exclude.
    public init(_ id: String) throws(PolicyError) {
        try self.init(parsing: id, at: .root)
    }

    init(parsing id: String, at path: JSONPath) throws(PolicyError) {
        guard Self.isIdentifier(id) else {
            throw .invalidValue(
                path: path.description,
                reason: "'\(id)' is not a content id (1–2048 visible ASCII characters, no spaces, quotes or brackets)"
            )
        }
        self.id = id
    }

    public var description: String { id }

    /// The syntax shared by content ids and the `uid`s of policies and rules.
    static func isIdentifier(_ string: String) -> Bool {
        let excluded = Set("\"<>\\^`{|}".utf8)
        return !string.isEmpty && string.utf8.count <= 2048
            && string.utf8.allSatisfy { (0x21...0x7E).contains($0) && !excluded.contains($0) }
    }
}
