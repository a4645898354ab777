import Foundation
import HavenIdentity
import Testing

@testable import HavenAccess

@Suite struct CapabilityTokenTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let owner = IdentityKey()
    let alice = IdentityKey()
    let bob = IdentityKey()
    let carol = IdentityKey()

    var verifier: CapabilityVerifier { CapabilityVerifier(owner: owner.did) }

    /// One capability per right on `resource`.
    func on(_ resource: String, _ rights: Right...) -> [Capability] {
        rights.map { Capability(resource: resource, right: $0) }
    }

    /// A token from `issuer` to `audience`, valid for an hour from `now` unless told otherwise.
    func mint(
        _ issuer: IdentityKey, to audience: IdentityKey, _ capabilities: [Capability], notBefore: Date? = nil,
        expires: TimeInterval? = 3600, proofs: [String] = []
    ) throws -> String {
        try CapabilityToken.mint(
            issuer: issuer, audience: audience.did, capabilities: capabilities, notBefore: notBefore,
            expiresAt: expires.map { now + $0 }, proofs: proofs)
    }

    /// Signs arbitrary claims with `key`, bypassing every check `mint` makes.
    func sign(_ claims: CapabilityToken, with key: IdentityKey) throws -> String {
        try JSONWebSignature.sign(payload: claims.encodedPayload(), with: key)
    }

    func verify(_ token: String, at time: Date? = nil, revoked: Set<String> = [], by verifier: CapabilityVerifier? = nil)
        throws(CapabilityError) -> VerifiedCapability
    {
        try (verifier ?? self.verifier).verify(token, at: time ?? now) { revoked.contains($0) }
    }

    func refusal(_ token: String, at time: Date? = nil, revoked: Set<String> = [], by verifier: CapabilityVerifier? = nil)
        -> CapabilityError?
    {
        #expect(throws: CapabilityError.self) { try verify(token, at: time, revoked: revoked, by: verifier) }
    }

    /// owner → alice (read, share on /photos/) → bob (read, share on /photos/trip/) → carol (read on
    /// /photos/trip/day1/).
    func threeLevels() throws -> (root: String, middle: String, leaf: String) {
        let root = try mint(owner, to: alice, on("/photos/", .read, .share), expires: 86_400)
        let middle = try mint(alice, to: bob, on("/photos/trip/", .read, .share), expires: 7200, proofs: [root])
        let leaf = try mint(bob, to: carol, on("/photos/trip/day1/", .read), expires: nil, proofs: [middle])
        return (root, middle, leaf)
    }

    // MARK: Claims and minting

    @Test func mintedClaimsDecodeAsTheyWereGiven() throws {
        let token = try CapabilityToken.mint(
            issuer: owner, audience: alice.did, capabilities: on("/photos/trip/", .read, .list),
            notBefore: now + 0.25, expiresAt: now + 3600.75)
        let claims = try CapabilityToken(decodingPayload: JSONWebSignature.decode(token).payload)
        #expect(claims.issuer == owner.did)
        #expect(claims.audience == alice.did)
        #expect(claims.capabilities == on("/photos/trip/", .read, .list))
        // Whole seconds, rounded towards the shorter validity.
        #expect(claims.notBefore == now + 1)
        #expect(claims.expiresAt == now + 3600)
        #expect(claims.nonce.count == 26)
        #expect(claims.proofs.isEmpty)
    }

    @Test func thePayloadHasTheUCANShape() throws {
        let token = try mint(owner, to: alice, on("/photos/trip/", .read), expires: nil)
        let payload = try JSONWebSignature.decode(token).payload
        let json = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
        #expect(json["iss"] as? String == owner.did.description)
        #expect(json["aud"] as? String == alice.did.description)
        let att = try #require(json["att"] as? [[String: String]])
        #expect(att == [["with": "/photos/trip/", "can": "read"]])
        #expect(json["exp"] is NSNull)
        #expect(json["nbf"] == nil)
        #expect(json["prf"] as? [String] == [])
        #expect(try CapabilityToken(decodingPayload: payload).expiresAt == nil)
    }

    @Test func everyMintedTokenIsUnique() throws {
        let first = try mint(owner, to: alice, on("/photos/", .read))
        let second = try mint(owner, to: alice, on("/photos/", .read))
        #expect(first != second)
        #expect(CapabilityToken.id(of: first) != CapabilityToken.id(of: second))
    }

    @Test func anIdIsTheBase32OfTheSHA256OfTheToken() {
        #expect(CapabilityToken.id(of: "abc") == "xj4bnp4pahh6uqkbidpf3lrceoyagyndsylxvhfucd7wd4qacwwq")
        #expect(CapabilityToken.id(of: "abc").count == 52)
    }

    @Test func mintRefusesTokensNoVerifierWouldAccept() throws {
        #expect(throws: CapabilityError.self) { try mint(owner, to: alice, []) }
        #expect(throws: CapabilityError.self) { try mint(owner, to: alice, on("photos/", .read)) }
        #expect(throws: CapabilityError.self) { try mint(owner, to: alice, on("/photos/../etc/", .read)) }
        #expect(throws: CapabilityError.self) {
            try mint(owner, to: alice, on("/photos/", .read), notBefore: now + 3600, expires: 3600)
        }
        let root = try mint(owner, to: alice, on("/photos/", .read, .share))
        #expect(throws: CapabilityError.self) {
            try mint(alice, to: bob, on("/photos/", .read), proofs: Array(repeating: root, count: 5))
        }
    }

    @Test func unknownClaimsAreIgnored() throws {
        let payload = """
            {"iss":"\(owner.did)","aud":"\(alice.did)","att":[{"with":"models/","can":"infer","x":1}],
             "exp":1800003600,"nnc":"n","prf":[],"ucv":"0.8.1","fct":[{"note":"hi"}]}
            """
        let claims = try CapabilityToken(decodingPayload: Array(payload.utf8))
        #expect(claims.capabilities == on("models/", .infer))
        #expect(claims.expiresAt == now + 3600)
    }

    @Test(arguments: [
        ("[]", "not an object"),
        (#"{"aud":"$A","att":[{"with":"/a","can":"read"}],"nnc":"n","prf":[]}"#, "missing iss"),
        (#"{"iss":"did:web:example.com","aud":"$A","att":[{"with":"/a","can":"read"}],"nnc":"n","prf":[]}"#, "did:web"),
        (#"{"iss":"$O","aud":"$A","att":[],"nnc":"n","prf":[]}"#, "no capabilities"),
        (#"{"iss":"$O","aud":"$A","att":{"with":"/a","can":"read"},"nnc":"n","prf":[]}"#, "att not an array"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"/a","can":"admin"}],"nnc":"n","prf":[]}"#, "unknown right"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"/a"}],"nnc":"n","prf":[]}"#, "no right"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"photos/","can":"read"}],"nnc":"n","prf":[]}"#, "relative path"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"/a/../b","can":"read"}],"nnc":"n","prf":[]}"#, "dot-dot"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"//a","can":"read"}],"nnc":"n","prf":[]}"#, "empty segment"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"/a\u0000","can":"read"}],"nnc":"n","prf":[]}"#, "NUL"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"/a","can":"read"}],"exp":1.5,"nnc":"n","prf":[]}"#, "fraction"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"/a","can":"read"}],"exp":"soon","nnc":"n","prf":[]}"#, "string"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"/a","can":"read"}],"nnc":"n","prf":[1]}"#, "prf numbers"),
        (#"{"iss":"$O","aud":"$A","att":[{"with":"/a","can":"read"}],"prf":[]}"#, "missing nnc"),
    ])
    func malformedClaimsAreRefused(template: String, why: String) {
        let payload = template.replacingOccurrences(of: "$O", with: owner.did.description)
            .replacingOccurrences(of: "$A", with: alice.did.description)
        let error = #expect(throws: CapabilityError.self, "\(why)") {
            try CapabilityToken(decodingPayload: Array(payload.utf8))
        }
        guard case .malformed = error else {
            Issue.record("\(why): expected malformed, got \(String(describing: error))")
            return
        }
    }

    // MARK: Valid chains

    @Test func theOwnersRootTokenIsAccepted() throws {
        let token = try mint(owner, to: alice, on("/photos/", .read, .list))
        let verified = try verify(token)
        #expect(verified.id == CapabilityToken.id(of: token))
        #expect(verified.issuer == owner.did)
        #expect(verified.audience == alice.did)
        #expect(verified.capabilities == on("/photos/", .read, .list))
        #expect(verified.chain == [verified.id])
        #expect(verified.expiresAt == now + 3600)
    }

    @Test func aTwoLevelChainNarrowsPathAndRights() throws {
        let root = try mint(owner, to: alice, on("/photos/", .read, .share), expires: 600)
        let child = try mint(alice, to: bob, on("/photos/trip/", .read), expires: 86_400, proofs: [root])
        let verified = try verify(child)
        #expect(verified.issuer == alice.did)
        #expect(verified.audience == bob.did)
        #expect(verified.capabilities == on("/photos/trip/", .read))
        #expect(verified.chain == [CapabilityToken.id(of: child), CapabilityToken.id(of: root)])
        #expect(verified.expiresAt == now + 600)  // the root expires first

        let decision = AccessPolicy.decide(
            AccessRequest(principal: .peer(bob.did), right: .read, resource: "/photos/trip/a.jpg"),
            capability: verified)
        #expect(decision.allowed)
    }

    @Test func aThreeLevelChainIsAccepted() throws {
        let (root, middle, leaf) = try threeLevels()
        let verified = try verify(leaf)
        #expect(verified.audience == carol.did)
        #expect(verified.capabilities == on("/photos/trip/day1/", .read))
        #expect(verified.chain == [leaf, middle, root].map(CapabilityToken.id(of:)))
        #expect(verified.expiresAt == now + 7200)  // the leaf never expires; its proofs do
    }

    @Test func sameRightAndResourceMayBePassedOn() throws {
        let root = try mint(owner, to: alice, on("/photos/", .read, .share))
        let child = try mint(alice, to: bob, on("/photos/", .read, .share), proofs: [root])
        #expect(try verify(child).capabilities == on("/photos/", .read, .share))
    }

    @Test func aTokenMayRestOnSeveralProofs() throws {
        let photos = try mint(owner, to: alice, on("/photos/", .read, .share))
        let notes = try mint(owner, to: alice, on("/notes/", .read, .share), expires: 60)
        let child = try mint(
            alice, to: bob, on("/photos/a.jpg", .read) + on("/notes/b.txt", .read), proofs: [photos, notes])
        let verified = try verify(child)
        #expect(verified.chain == [child, photos, notes].map(CapabilityToken.id(of:)))
        #expect(verified.expiresAt == now + 60)
    }

    @Test func isRevokedIsAskedAboutEveryTokenInTheChain() throws {
        let (root, middle, leaf) = try threeLevels()
        var asked: [String] = []
        _ = try verifier.verify(leaf, at: now) { id in
            asked.append(id)
            return false
        }
        #expect(Set(asked) == Set([leaf, middle, root].map(CapabilityToken.id(of:))))
    }

    // MARK: Forgery and tampering

    @Test func aRootTokenForgedInTheOwnersNameIsRefused() throws {
        let forged = CapabilityToken(
            issuer: owner.did, audience: alice.did, capabilities: on("/", .read, .share), notBefore: nil,
            expiresAt: nil, nonce: "forged", proofs: [])
        let token = try sign(forged, with: alice)
        #expect(refusal(token) == .badSignature(id: CapabilityToken.id(of: token)))
    }

    @Test func aForgedProofRefusesTheTokenRestingOnIt() throws {
        let forged = try sign(
            CapabilityToken(
                issuer: owner.did, audience: alice.did, capabilities: on("/", .read, .share), notBefore: nil,
                expiresAt: nil, nonce: "forged", proofs: []), with: alice)
        let child = try mint(alice, to: bob, on("/photos/", .read), proofs: [forged])
        #expect(refusal(child) == .badSignature(id: CapabilityToken.id(of: forged)))
    }

    @Test func anAlteredPayloadIsRefused() throws {
        let token = try mint(owner, to: alice, on("/photos/trip/", .read))
        let parts = token.split(separator: ".").map(String.init)
        let payload = String(decoding: Base64URL.decode(parts[1])!, as: UTF8.self)
        let widened = payload.replacingOccurrences(of: "/photos/trip/", with: "/")
        #expect(widened != payload)
        let altered = [parts[0], Base64URL.encode(Array(widened.utf8)), parts[2]].joined(separator: ".")
        #expect(refusal(altered) == .badSignature(id: CapabilityToken.id(of: altered)))
    }

    @Test func unsignedAndHMACTokensAreRefused() throws {
        let token = try mint(owner, to: alice, on("/photos/", .read))
        let payload = String(token.split(separator: ".")[1])
        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + payload + "."
        #expect(refusal(none) == .unsupportedAlgorithm("none"))
        let hmac = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + payload + "."
            + Base64URL.encode([UInt8](repeating: 7, count: 32))
        #expect(refusal(hmac) == .unsupportedAlgorithm("HS256"))
        guard case .malformed = refusal("not a token") else {
            Issue.record("expected malformed")
            return
        }
    }

    // MARK: Time

    @Test(arguments: [(-1.0, true), (0.0, false), (1.0, false), (86_400.0, false)])
    func aTokenIsRefusedFromItsExpiry(offset: TimeInterval, accepted: Bool) throws {
        let token = try mint(owner, to: alice, on("/photos/", .read), expires: 3600)
        let at = now + 3600 + offset
        if accepted {
            #expect(try verify(token, at: at).id == CapabilityToken.id(of: token))
        } else {
            #expect(refusal(token, at: at) == .expired(id: CapabilityToken.id(of: token), now + 3600))
        }
    }

    @Test func aTokenIsRefusedBeforeItsNotBefore() throws {
        let token = try mint(owner, to: alice, on("/photos/", .read), notBefore: now + 60)
        #expect(refusal(token) == .notYetValid(id: CapabilityToken.id(of: token), now + 60))
        #expect(refusal(token, at: now + 59) == .notYetValid(id: CapabilityToken.id(of: token), now + 60))
        #expect(try verify(token, at: now + 60).audience == alice.did)
    }

    @Test func anExpiredProofRefusesItsChild() throws {
        let root = try mint(owner, to: alice, on("/photos/", .read, .share), expires: 60)
        let child = try mint(alice, to: bob, on("/photos/trip/", .read), expires: 86_400, proofs: [root])
        #expect(try verify(child, at: now + 59).expiresAt == now + 60)
        #expect(refusal(child, at: now + 60) == .expired(id: CapabilityToken.id(of: root), now + 60))
    }

    // MARK: Delegation

    @Test(arguments: [
        ("/photos/trip/", "/photos/"),  // a wider path
        ("/photos/trip/", "/"),
        ("/notes/", "/notes2/"),  // a sibling sharing a prefix
        ("/notes", "/notes2"),
        ("/notes/", "/photos/"),
        ("models/smollm2", "models/"),
    ])
    func aChildMayNotWidenThePath(parent: String, child: String) throws {
        let root = try mint(owner, to: alice, on(parent, .read, .share))
        let token = try mint(alice, to: bob, on(child, .read), proofs: [root])
        #expect(refusal(token) == .widens(Capability(resource: child, right: .read)))
    }

    @Test func aChildMayNotAddARight() throws {
        let root = try mint(owner, to: alice, on("/photos/", .read, .share))
        let token = try mint(alice, to: bob, on("/photos/trip/", .read, .write), proofs: [root])
        #expect(refusal(token) == .widens(Capability(resource: "/photos/trip/", right: .write)))
    }

    @Test func delegatingNeedsShare() throws {
        let root = try mint(owner, to: alice, on("/photos/", .read, .list))
        let token = try mint(alice, to: bob, on("/photos/trip/", .read), proofs: [root])
        #expect(refusal(token) == .delegationWithoutShare(Capability(resource: "/photos/trip/", right: .read)))
    }

    @Test func shareMustCoverTheDelegatedResource() throws {
        let root = try mint(owner, to: alice, on("/photos/", .read) + on("/photos/trip/", .share))
        let wide = try mint(alice, to: bob, on("/photos/", .read), proofs: [root])
        #expect(refusal(wide) == .delegationWithoutShare(Capability(resource: "/photos/", right: .read)))
        let narrow = try mint(alice, to: bob, on("/photos/trip/a.jpg", .read), proofs: [root])
        #expect(try verify(narrow).capabilities == on("/photos/trip/a.jpg", .read))
    }

    @Test func shareMustBeInTheSameProofThatIncludesTheCapability() throws {
        let read = try mint(owner, to: alice, on("/photos/", .read))
        let share = try mint(owner, to: alice, on("/photos/", .share))
        let token = try mint(alice, to: bob, on("/photos/trip/", .read), proofs: [read, share])
        #expect(refusal(token) == .delegationWithoutShare(Capability(resource: "/photos/trip/", right: .read)))
    }

    @Test func onlyTheAudienceOfAProofMayDelegateIt() throws {
        let root = try mint(owner, to: alice, on("/photos/", .read, .share))
        let stolen = try mint(bob, to: carol, on("/photos/trip/", .read), proofs: [root])
        #expect(
            refusal(stolen)
                == .audienceMismatch(proof: CapabilityToken.id(of: root), audience: alice.did, issuer: bob.did))
    }

    // MARK: Revocation

    @Test func aRevokedRootRefusesItsDelegatedChild() throws {
        let (root, _, leaf) = try threeLevels()
        let rootID = CapabilityToken.id(of: root)
        #expect(refusal(leaf, revoked: [rootID]) == .revoked(id: rootID))
        #expect(refusal(root, revoked: [rootID]) == .revoked(id: rootID))
    }

    @Test func aRevokedLeafIsRefusedAndItsParentsStillWork() throws {
        let (_, middle, leaf) = try threeLevels()
        let leafID = CapabilityToken.id(of: leaf)
        #expect(refusal(leaf, revoked: [leafID]) == .revoked(id: leafID))
        #expect(try verify(middle, revoked: [leafID]).audience == bob.did)
    }

    // MARK: Roots and limits

    @Test func aRootIssuedByAnyoneButTheOwnerIsRefused() throws {
        let selfIssued = try mint(alice, to: bob, on("/photos/", .read, .share))
        #expect(refusal(selfIssued) == .rootNotOwner(alice.did))
        let child = try mint(bob, to: carol, on("/photos/trip/", .read), proofs: [selfIssued])
        #expect(refusal(child) == .rootNotOwner(alice.did))
        // The same chain is accepted by a server whose owner is alice.
        #expect(try verify(child, by: CapabilityVerifier(owner: alice.did)).audience == carol.did)
    }

    @Test func chainsLongerThanTheLimitAreRefused() throws {
        let (_, middle, leaf) = try threeLevels()
        let shallow = CapabilityVerifier(owner: owner.did, maximumDepth: 2)
        #expect(try verify(middle, by: shallow).chain.count == 2)
        #expect(refusal(leaf, by: shallow) == .tooDeep(limit: 2))
    }

    @Test func theDefaultLimitAcceptsEightLinks() throws {
        #expect(verifier.maximumDepth == 8)
        let keys = [owner] + (1...8).map { _ in IdentityKey() }
        var token = try mint(owner, to: keys[1], on("/a/", .read, .share))
        for level in 2...8 {
            token = try mint(keys[level - 1], to: keys[level], on("/a/", .read, .share), proofs: [token])
        }
        #expect(try verify(token).chain.count == 8)
        #expect(refusal(token, by: CapabilityVerifier(owner: owner.did, maximumDepth: 7)) == .tooDeep(limit: 7))
    }

    @Test func moreThanFourProofsAreRefused() throws {
        let root = try mint(owner, to: alice, on("/photos/", .read, .share))
        let claims = CapabilityToken(
            issuer: alice.did, audience: bob.did, capabilities: on("/photos/", .read), notBefore: nil,
            expiresAt: nil, nonce: "n", proofs: Array(repeating: root, count: 5))
        let token = try sign(claims, with: alice)
        #expect(refusal(token) == .tooManyProofs(id: CapabilityToken.id(of: token), count: 5))
        let four = try mint(alice, to: bob, on("/photos/", .read), proofs: Array(repeating: root, count: 4))
        #expect(try verify(four).chain == [four, root].map(CapabilityToken.id(of:)))
    }

    // MARK: Messages

    @Test func messagesSayWhatToDo() {
        let expiry = Date(timeIntervalSince1970: 1_795_600_800)  // 2026-11-25T10:00:00Z
        #expect(
            CapabilityError.expired(id: "abc", expiry).description
                == "capability token abc expired at 2026-11-25T10:00:00Z; ask its issuer for a new one")
        #expect(CapabilityError.revoked(id: "abc").description.contains("ask its issuer for a new one"))
        #expect(
            CapabilityError.widens(Capability(resource: "/photos/", right: .write)).description.contains(
                "'write' on /photos/"))
        #expect(CapabilityError.unsupportedAlgorithm("none").description.contains("only EdDSA"))
    }
}
