import Foundation
import MCP

/// The URI of a file in the owner's data as MCP clients see it: `haven:///notes/a.md` for the
/// path `/notes/a.md` (scheme `haven`, no authority, the path percent-encoded where a URI needs it).
struct HavenResourceURI: Hashable, Sendable, CustomStringConvertible {
    static let prefix = "haven://"

    /// The data path, starting with `/`, as the `read` and `list` tools take it.
    let path: String

    init(path: String) {
        self.path = path
    }

    /// Parses a URI a client sent back.
    ///
    /// - Throws: `MCPError.invalidParams` naming the expected form.
    init(parsing uri: String) throws(MCPError) {
        guard uri.hasPrefix(Self.prefix), uri.dropFirst(Self.prefix.count).hasPrefix("/"),
            let path = String(uri.dropFirst(Self.prefix.count)).removingPercentEncoding
        else {
            throw .invalidParams("'\(uri)' is not a Haven resource; resources look like haven:///notes/idea.md")
        }
        self.path = path
    }

    var description: String {
        Self.prefix + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
    }
}
