import HavenExchange
import HavenStore

/// `PEER:/path` as commands write it: a peer (by name or did:key) and a path on it.
struct PeerPath: Sendable, Equatable {
    let peer: String
    let path: DataPath

    /// Parses `alice:/photos/trip/`; with `defaultPath`, a bare `alice` means that path on alice.
    init(parsing text: String, defaultPath: DataPath? = nil) throws {
        guard let separator = text.range(of: ":/") else {
            guard let defaultPath, !text.isEmpty, !text.contains("/") else {
                throw APIError(
                    .badRequest, code: "invalid_request", message: "'\(text)' is not PEER:/path (e.g. alice:/photos/trip/)")
            }
            self.peer = text
            self.path = defaultPath
            return
        }
        let peer = String(text[..<separator.lowerBound])
        guard !peer.isEmpty else {
            throw APIError(.badRequest, code: "invalid_request", message: "'\(text)' names no peer before ':/'")
        }
        self.peer = peer
        self.path = try DataPath(parsing: text[text.index(after: separator.lowerBound)...])
    }
}
