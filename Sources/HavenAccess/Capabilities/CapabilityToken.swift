import Crypto
import Foundation
import HavenIdentity

/// The claims of a capability token: a JWT (EdDSA, see ``JSONWebSignature``) in the shape of a
/// UCAN, by which a holder outside this server proves what it may do here.
///
/// The payload reads `{"iss": did, "aud": did, "att": [{"with": "/photos/trip/", "can": "read"}],
/// "nbf": 1800000000, "exp": 1800086400, "nnc": "…", "prf": ["<parent JWT>", …]}`. A root token
/// (empty `prf`) is issued by the owner; a delegated one carries its parents whole, so the chain
/// can be checked with nothing but the owner's DID (``CapabilityVerifier``).
public struct CapabilityToken: Sendable, Equatable {
    /// The most proofs one token may rest on.
    public static let maximumProofs = 4
    static let maximumResourceLength = 1024

    /// Who signed the token (`iss`).
    public let issuer: DID
    /// Who may use or delegate it (`aud`).
    public let audience: DID
    /// What it grants (`att`); never empty.
    public let capabilities: [Capability]
    /// When it becomes valid (`nbf`, whole seconds), if not at once.
    public let notBefore: Date?
    /// When it stops being valid (`exp`, whole seconds), if ever.
    public let expiresAt: Date?
    /// Random text that makes every minted token, and so its id, unique (`nnc`).
    public let nonce: String
    /// The parent tokens, as full compact JWTs, that this one was delegated from (`prf`); empty
    /// for a root token.
    public let proofs: [String]

    init(
        issuer: DID, audience: DID, capabilities: [Capability], notBefore: Date?, expiresAt: Date?, nonce: String,
        proofs: [String]
    ) {
        self.issuer = issuer
        self.audience = audience
        self.capabilities = capabilities
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.nonce = nonce
        self.proofs = proofs
    }

    /// Signs new claims with `key`, which becomes the issuer, and returns the compact JWT.
    ///
    /// Times are stored in whole seconds, rounded towards the shorter validity. Refuses what no
    /// verifier would accept: no capabilities, a resource that is not a normalised data path or
    /// model, more than ``maximumProofs`` proofs, or an expiry not after the start.
    public static func mint(
        issuer key: IdentityKey, audience: DID, capabilities: [Capability], notBefore: Date? = nil,
        expiresAt: Date?, proofs: [String] = []
    ) throws -> String {
        guard !capabilities.isEmpty else { throw CapabilityError.malformed("a token grants at least one capability") }
        for capability in capabilities {
            if let reason = problem(withResource: capability.resource) { throw CapabilityError.malformed(reason) }
        }
        guard proofs.count <= maximumProofs else {
            throw CapabilityError.malformed("a token rests on at most \(maximumProofs) proofs, not \(proofs.count)")
        }
        let start = try notBefore.map { date throws(CapabilityError) in try wholeSeconds(date, .up) }
        let end = try expiresAt.map { date throws(CapabilityError) in try wholeSeconds(date, .down) }
        if let start, let end, end <= start {
            throw CapabilityError.malformed("the token would expire before it becomes valid")
        }
        var generator = SystemRandomNumberGenerator()
        let token = CapabilityToken(
            issuer: key.did, audience: audience, capabilities: capabilities, notBefore: start, expiresAt: end,
            nonce: Base32.encode((0..<16).map { _ in generator.next() as UInt8 }), proofs: proofs)
        return try JSONWebSignature.sign(payload: token.encodedPayload(), with: key)
    }

    /// The id of a token: SHA-256 of its text in lower-case unpadded base32 (52 characters).
    /// Revocation and audit name tokens by it.
    public static func id(of token: String) -> String {
        Base32.encode(SHA256.hash(data: Array(token.utf8)))
    }

    /// Reads the claims from a token's payload without checking its signature.
    ///
    /// Strict: `iss` and `aud` are Ed25519 `did:key`s, `att` is a non-empty array of
    /// `{"with", "can"}` naming known rights on normalised data paths (`/…`) or models
    /// (`models/…`), `nbf` and `exp` are whole seconds or absent or null, `nnc` is a string and
    /// `prf` an array of strings. Claims not named here are ignored.
    public init(decodingPayload payload: [UInt8]) throws(CapabilityError) {
        let claims: Claims
        do {
            claims = try JSONDecoder().decode(Claims.self, from: Data(payload))
        } catch let error as DecodingError {
            throw .malformed(Self.reason(for: error))
        } catch {
            throw .malformed("the payload is not a JSON object")
        }
        let issuer: DID
        let audience: DID
        do {
            issuer = try DID(parsing: claims.iss)
            audience = try DID(parsing: claims.aud)
        } catch {
            throw .malformed("'iss' and 'aud' must be Ed25519 did:keys: \(error)")
        }
        guard !claims.att.isEmpty else { throw .malformed("'att' names no capabilities") }
        var capabilities: [Capability] = []
        for attenuation in claims.att {
            guard let right = Right(rawValue: attenuation.can) else {
                throw .malformed(
                    "unknown right '\(attenuation.can)'; rights are \(Right.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let reason = Self.problem(withResource: attenuation.with) { throw .malformed(reason) }
            capabilities.append(Capability(resource: attenuation.with, right: right))
        }
        self.init(
            issuer: issuer, audience: audience, capabilities: capabilities,
            notBefore: claims.nbf.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            expiresAt: claims.exp.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            nonce: claims.nnc, proofs: claims.prf)
    }

    /// The JSON payload of these claims, keys sorted so the same claims give the same bytes.
    func encodedPayload() throws(CapabilityError) -> [UInt8] {
        let claims = Claims(
            iss: issuer.description, aud: audience.description,
            att: capabilities.map { Claims.Attenuation(with: $0.resource, can: $0.right.rawValue) },
            nbf: try notBefore.map { date throws(CapabilityError) in try Self.seconds(date, .up) },
            exp: try expiresAt.map { date throws(CapabilityError) in try Self.seconds(date, .down) },
            nnc: nonce, prf: proofs)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(claims))
        } catch {
            throw .malformed("the claims could not be encoded: \(error)")
        }
    }

    /// Why `resource` may not appear in a token, or `nil` if it may: it must be a data path
    /// (`/`, `/photos/`, `/notes/a.txt`), a model (`models/`, `models/NAME`) or a storage contract
    /// (`market/contracts/ID`, what a provider pulls a shard with) with no empty,
    /// `.` or `..` segments and no control characters, since coverage compares bytes.
    static func problem(withResource resource: String) -> String? {
        let bytes = resource.utf8
        guard bytes.count <= maximumResourceLength else {
            return "a resource has at most \(maximumResourceLength) bytes"
        }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            return "the resource \(resource.debugDescription) holds control characters"
        }
        let rest: Substring
        if resource.hasPrefix("/") {
            rest = resource.dropFirst()
        } else if resource.hasPrefix("models/") {
            rest = resource.dropFirst("models/".count)
        } else if resource.hasPrefix("market/") {
            rest = resource.dropFirst("market/".count)
        } else {
            return "the resource '\(resource)' is neither a data path ('/…'), a model ('models/…') nor a market contract ('market/…')"
        }
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            // Only the last segment may be empty: a trailing '/' names a directory.
            if (segment.isEmpty && index != segments.count - 1) || segment == "." || segment == ".." {
                return "the resource '\(resource)' is not a normalised path (no '//', '.' or '..' segments)"
            }
        }
        return nil
    }

    /// `date` as whole seconds since 1970, or an error for a time no token can carry.
    private static func seconds(_ date: Date, _ rule: FloatingPointRoundingRule) throws(CapabilityError) -> Int64 {
        guard let seconds = Int64(exactly: date.timeIntervalSince1970.rounded(rule)) else {
            throw .malformed("\(date) cannot be written as whole seconds since 1970")
        }
        return seconds
    }

    /// `date` rounded to whole seconds by `rule`.
    private static func wholeSeconds(_ date: Date, _ rule: FloatingPointRoundingRule) throws(CapabilityError) -> Date {
        Date(timeIntervalSince1970: TimeInterval(try seconds(date, rule)))
    }

    private static func reason(for error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _):
            return "the claim '\(key.stringValue)' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "the claim '\(path(context))' has the wrong type"
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "the claim '\(path(context))' is not valid (times are whole seconds)"
        default:
            return "the payload is not a JSON object"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

/// The JSON form of a token's claims.
private struct Claims: Codable {
    struct Attenuation: Codable {
        let with: String
        let can: String
    }

    let iss: String
    let aud: String
    let att: [Attenuation]
    let nbf: Int64?
    let exp: Int64?
    let nnc: String
    let prf: [String]

    init(iss: String, aud: String, att: [Attenuation], nbf: Int64?, exp: Int64?, nnc: String, prf: [String]) {
        self.iss = iss
        self.aud = aud
        self.att = att
        self.nbf = nbf
        self.exp = exp
        self.nnc = nnc
        self.prf = prf
    }

    enum CodingKeys: String, CodingKey {
        case iss, aud, att, nbf, exp, nnc, prf
    }

    // Written out so that a token without expiry says so with `"exp": null`, as UCAN does.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iss, forKey: .iss)
        try container.encode(aud, forKey: .aud)
        try container.encode(att, forKey: .att)
        try container.encodeIfPresent(nbf, forKey: .nbf)
        try container.encode(exp, forKey: .exp)
        try container.encode(nnc, forKey: .nnc)
        try container.encode(prf, forKey: .prf)
    }
}
