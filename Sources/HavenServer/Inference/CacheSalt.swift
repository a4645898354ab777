import Crypto
import Foundation
import HavenIdentity

/// The `cache_salt` sent with a principal's requests to an upstream: vLLM shares prefix-cache
/// entries only between requests with the same salt, so one person's prompts never warm (nor
/// time) another's. A keyed hash of the principal: stable across restarts, the same for every
/// upstream, and telling the upstream nothing about who asked.
struct CacheSalt: Sendable {
    private let key: SymmetricKey

    /// A salt key derived from the owner's private key (never the key itself).
    init(ownerKey: IdentityKey) {
        self.init(secret: Data(ownerKey.privateKey.rawRepresentation))
    }

    init(secret: Data) {
        key = SymmetricKey(data: SHA256.hash(data: Data("haven cache salt v1".utf8) + secret))
    }

    /// The salt of `principal`: 43 URL-safe base64 characters.
    func salt(for principal: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(principal.utf8), using: key)
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
