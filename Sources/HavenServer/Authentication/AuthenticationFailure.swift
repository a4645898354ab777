import HavenAccess
import HavenIdentity

/// One request refused before a caller was established: what was wrong, who sent it, and a
/// name for the credential that is safe to log.
public struct AuthenticationFailure: Sendable, Equatable {
    /// What was wrong with the request's credentials.
    public enum Kind: String, CaseIterable, Codable, Sendable {
        /// No credentials at all.
        case missing
        /// Credentials that are not a Haven token in form (wrong scheme, garbled text).
        case malformed
        /// A well-formed API token this server never issued, or whose secret does not match.
        case unknown
        /// An API token that was revoked.
        case revoked
        /// A session cookie whose session has ended or never existed.
        case session
        /// A login link's code that is garbled, used or expired.
        case loginCode = "login_code"
        /// A capability token that did not verify (expired, revoked, forged), or one sent where
        /// only API tokens are accepted.
        case capability
        /// A server-to-server request whose signature did not verify, or a replay.
        case signature
        /// A session cookie sent by a page of another origin.
        case crossSite = "cross_site"

        /// Whether failures of this kind count towards throttling their client.
        ///
        /// A request without credentials makes no guess, and one turned away as cross-site was
        /// sent by a victim's browser on another page's behalf: throttling on those would let a
        /// web page lock a person out of their own Haven. Every other kind presents a credential
        /// that is wrong, which is what guessing looks like.
        public var isThrottled: Bool {
            switch self {
            case .missing, .crossSite: false
            default: true
            }
        }
    }

    public let kind: Kind
    public let client: ClientAddress
    /// Names the credential without revealing it (a token id, a session id, a capability id, a
    /// signer's key, or a keyed fingerprint); `nil` when there was none.
    public let credential: String?

    public init(kind: Kind, client: ClientAddress, credential: String? = nil) {
        self.kind = kind
        self.client = client
        self.credential = credential
    }

    /// The kind of failure an authentication error stands for; `nil` for an error that is the
    /// server's, not the client's (the catalog could not be read).
    public static func kind(of error: AuthenticationError) -> Kind? {
        switch error {
        case .missingCredentials: .missing
        case .notBearer, .malformedToken: .malformed
        case .invalidToken: .unknown
        case .revokedToken: .revoked
        case .capabilityNotAccepted, .invalidCapability: .capability
        case .sessionEnded: .session
        case .crossSite: .crossSite
        case .catalogUnavailable: nil
        }
    }

    /// A loggable name for what a client presented in `Authorization` (or `x-api-key`): an
    /// API token's public id (`hvn_<id>`), a capability token's id, or else a fingerprint of the
    /// text. Never any part of a secret.
    public static func credential(inAuthorization header: String?, fingerprint: CredentialFingerprint) -> String? {
        guard let header, !header.isEmpty else { return nil }
        let scheme = header.prefix(while: { $0 != " " })
        let text = header.dropFirst(scheme.count).drop(while: { $0 == " " })
        guard scheme.lowercased() == "bearer", !text.isEmpty else { return fingerprint(header) }
        if let token = try? APIToken(parsing: text) { return APIToken.prefix + token.id.rawValue }
        if looksLikeCapability(text) { return "capability " + CapabilityToken.id(of: String(text)) }
        return fingerprint(String(text))
    }

    /// A JWS in compact form with room for an Ed25519 signature: a capability token's public id
    /// (the hash of the whole token) is what the audit log names it by. Shorter dotted text gets
    /// a keyed fingerprint instead, as its plain hash could be matched against guesses.
    private static func looksLikeCapability(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return !text.hasPrefix(APIToken.prefix) && parts.count == 3 && parts.allSatisfy { !$0.isEmpty }
            && parts[2].count >= 80
    }
}
