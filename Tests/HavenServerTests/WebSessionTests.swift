import Foundation
import HavenIdentity
import HavenStore
import Testing

@testable import HavenServer

/// Web sessions and login codes in the catalog, and what makes a session stop working.
@Suite struct WebSessionTests {
    let catalog: Catalog
    let token = APIToken.generate()
    let origin: SessionOrigin
    let authenticator: SessionAuthenticator
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        catalog = try Catalog.inMemory()
        _ = try catalog.insertToken(token, name: "laptop", principal: .app("laptop"), createdAt: start)
        origin = SessionOrigin(principal: .app("laptop"), tokenID: token.id, tokenName: "laptop")
        authenticator = SessionAuthenticator(catalog: catalog)
    }

    func newSession(idle: Int = 600, lifetime: Int = 3_600) throws -> (SessionKey, WebSession) {
        let key = SessionKey.generate()
        return (key, try catalog.createSession(key, for: origin, idleTimeout: idle, lifetime: lifetime, userAgent: "test", at: start))
    }

    @Test func aSessionAuthenticatesAsThePrincipalOfItsToken() throws {
        let (key, session) = try newSession()
        let authentication = try authenticator.authenticate(key, at: start.addingTimeInterval(5))
        #expect(authentication.principal == .app("laptop"))
        #expect(authentication.tokenName == "laptop")
        #expect(authentication.sessionID == session.id)
        #expect(authentication.tokenID == token.id)
    }

    @Test func theCookieValueRoundTripsAndOnlyTheHashIsStored() throws {
        let (key, session) = try newSession()
        #expect(SessionKey(cookieValue: key.cookieValue) == key)
        let stored = try #require(try catalog.storedSession(id: session.id))
        #expect(stored.secretHash == key.secretHash)
        #expect(!key.cookieValue.contains(stored.secretHash.map { String(format: "%02x", $0) }.joined()))
    }

    @Test func aWrongSecretForAKnownIdIsRefused() throws {
        let (key, _) = try newSession()
        let forged = try #require(SessionKey(cookieValue: key.cookieValue.dropLast(4) + "aaaa"))
        #expect(forged.id == key.id)
        #expect(throws: AuthenticationError.sessionEnded) { try authenticator.authenticate(forged, at: start) }
        #expect(throws: AuthenticationError.sessionEnded) { try authenticator.authenticate(SessionKey.generate(), at: start) }
    }

    @Test func anIdleSessionEndsAndAnActiveOneLastsUntilItsAbsoluteEnd() throws {
        let (key, _) = try newSession(idle: 600, lifetime: 3_600)
        // Used every 5 minutes, it stays alive past the idle timeout...
        for minutes in stride(from: 5, through: 55, by: 5) {
            _ = try authenticator.authenticate(key, at: start.addingTimeInterval(Double(minutes * 60)))
        }
        // ...but not past its absolute end.
        #expect(throws: AuthenticationError.sessionEnded) {
            try authenticator.authenticate(key, at: start.addingTimeInterval(3_601))
        }
        let (idle, _) = try newSession(idle: 600, lifetime: 3_600)
        _ = try authenticator.authenticate(idle, at: start.addingTimeInterval(599))
        #expect(throws: AuthenticationError.sessionEnded) {
            try authenticator.authenticate(idle, at: start.addingTimeInterval(599 + 601))
        }
    }

    @Test func revokingTheSessionOrItsTokenEndsIt() throws {
        let (key, session) = try newSession()
        let (other, _) = try newSession()
        try catalog.revokeSession(id: session.id, by: .app("laptop"), at: start)
        #expect(throws: AuthenticationError.sessionEnded) { try authenticator.authenticate(key, at: start) }
        _ = try authenticator.authenticate(other, at: start)
        _ = try catalog.revokeToken(named: "laptop", at: start)
        #expect(throws: AuthenticationError.sessionEnded) { try authenticator.authenticate(other, at: start) }
    }

    @Test func onlyTheOwnerRevokesAnothersSession() throws {
        let (_, session) = try newSession()
        #expect(throws: SessionError.notFound(session.id)) {
            try catalog.revokeSession(id: session.id, by: .app("phone"), at: start)
        }
        #expect(try catalog.activeSessions(of: nil, at: start).map(\.id) == [session.id])
        try catalog.revokeSession(id: session.id, by: .owner, at: start)
        #expect(try catalog.activeSessions(of: nil, at: start).isEmpty)
        #expect(throws: SessionError.notFound(session.id)) {
            try catalog.revokeSession(id: session.id, by: .owner, at: start)
        }
    }

    @Test func listingsShowOnlyActiveSessionsOfThePrincipalAsked() throws {
        let (_, first) = try newSession(idle: 600, lifetime: 3_600)
        let (_, second) = try newSession(idle: 60, lifetime: 3_600)
        #expect(Set(try catalog.activeSessions(of: .app("laptop"), at: start).map(\.id)) == [first.id, second.id])
        #expect(try catalog.activeSessions(of: .app("phone"), at: start).isEmpty)
        // The second has been idle too long two minutes later.
        #expect(try catalog.activeSessions(of: nil, at: start.addingTimeInterval(120)).map(\.id) == [first.id])
    }

    @Test func sessionsOverForADayAreForgottenWhenTheNextOneStarts() throws {
        let (_, revoked) = try newSession(idle: 600, lifetime: 3_600)
        let (_, idle) = try newSession(idle: 600, lifetime: 3_600)
        let (_, live) = try newSession(idle: 600, lifetime: 3 * 86_400)
        try catalog.revokeSession(id: revoked.id, by: .owner, at: start)
        // Two days on, `live` is still used; the other two ended long ago.
        try catalog.touchSession(id: live.id, at: start.addingTimeInterval(2 * 86_400))
        let later = start.addingTimeInterval(2 * 86_400 + 60)
        _ = try catalog.createSession(SessionKey.generate(), for: origin, idleTimeout: 600, lifetime: 3_600, userAgent: nil, at: later)
        #expect(try catalog.storedSession(id: revoked.id) == nil)
        #expect(try catalog.storedSession(id: idle.id) == nil)
        #expect(try catalog.storedSession(id: live.id) != nil)
    }

    @Test func aLoginCodeWorksOnceAndNotAfterItExpires() throws {
        let code = LoginCode.generate()
        try catalog.createLoginCode(code, for: origin, expiresAt: Date().addingTimeInterval(600))
        let parsed = try #require(LoginCode(parsing: code.text.uppercased()))
        #expect(try catalog.redeemLoginCode(parsed, at: Date()) == origin)
        #expect(throws: SessionError.invalidLoginCode) { try catalog.redeemLoginCode(code, at: Date()) }

        let late = LoginCode.generate()
        try catalog.createLoginCode(late, for: origin, expiresAt: Date().addingTimeInterval(600))
        #expect(throws: SessionError.invalidLoginCode) {
            try catalog.redeemLoginCode(late, at: Date().addingTimeInterval(601))
        }
        #expect(throws: SessionError.invalidLoginCode) { try catalog.redeemLoginCode(LoginCode.generate(), at: Date()) }
        #expect(LoginCode(parsing: "not a code") == nil)
    }

    @Test func theSessionCookieIsFoundAmongOthersAndMalformedOnesAreIgnored() {
        let cookie = SessionCookie(owner: IdentityKey().did)
        let name = cookie.name
        let key = SessionKey.generate()
        #expect(cookie.key(fromCookieHeader: "a=1; \(name)=\(key.cookieValue); b=2") == key)
        #expect(cookie.key(fromCookieHeader: "\(name)=\"\(key.cookieValue)\"") == key)
        #expect(cookie.key(fromCookieHeader: "\(name)=hvs_zzz") == nil)
        #expect(cookie.isPresent(in: "\(name)=hvs_zzz"))
        #expect(cookie.key(fromCookieHeader: "x\(name)=\(key.cookieValue)") == nil)
        #expect(!cookie.isPresent(in: "x\(name)=\(key.cookieValue)"))
        #expect(cookie.key(fromCookieHeader: nil) == nil)
        let set = cookie.set(key, maxAge: 60, secure: true)
        for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age=60"] {
            #expect(set.contains(attribute))
        }
        #expect(!cookie.set(key, maxAge: 60, secure: false).contains("Secure"))
    }

    @Test func twoServersOnOneHostUseDifferentCookieNames() {
        // Browsers do not separate cookies by port: each server's name is its own.
        let first = SessionCookie(owner: IdentityKey().did)
        let second = SessionCookie(owner: IdentityKey().did)
        #expect(first.name != second.name)
        #expect(first.name.hasPrefix("haven_session_"))
        let key = SessionKey.generate()
        #expect(second.key(fromCookieHeader: first.set(key, maxAge: 60, secure: false)) == nil)
    }
}
