import Foundation
import HavenIdentity
import HavenStore

/// Turns a session cookie into an ``Authentication``, on every request, so that signing out,
/// revoking the session or revoking the token it came from takes effect on the next request.
public struct SessionAuthenticator: Sendable {
    let catalog: Catalog
    /// A session's last use is written at most this often (seconds), not on every request.
    static let touchInterval: TimeInterval = 30
    private static let absentHash = [UInt8](repeating: 0, count: 32)

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// The caller behind `key`, or ``AuthenticationError/sessionEnded`` if its session cannot be used.
    public func authenticate(_ key: SessionKey, at now: Date = Date()) throws(AuthenticationError) -> Authentication {
        let stored: (session: WebSession, secretHash: [UInt8])?
        let token: StoredToken?
        do {
            stored = try catalog.storedSession(id: key.id)
            token = try stored.flatMap { try catalog.storedToken(id: $0.session.tokenID) }
        } catch {
            throw .catalogUnavailable("\(error)")
        }
        let matches = key.matches(secretHash: stored?.secretHash ?? Self.absentHash)
        guard let session = stored?.session, matches, session.isActive(at: now) else { throw .sessionEnded }
        // The token the session came from must still be valid, and still be that principal's.
        guard let token, !token.info.isRevoked, token.info.principal == session.principal else { throw .sessionEnded }
        if now.timeIntervalSince(session.lastSeenAt) >= Self.touchInterval {
            try? catalog.touchSession(id: session.id, at: now)
        }
        return Authentication(
            principal: session.principal, tokenName: session.token, tokenID: session.tokenID, sessionID: session.id)
    }
}
