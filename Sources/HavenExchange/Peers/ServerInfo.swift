import Crypto
import Foundation
import HavenIdentity

/// What every Haven answers at `GET /.well-known/haven`, without a token: who it is and where
/// its exchange endpoints are. With `?challenge=…` it also signs the challenge, so whoever
/// fetched it learns that the server holds the key of the DID it claims.
public struct ServerInfo: Sendable, Equatable, Codable {
    public let did: DID
    public let name: String
    public let version: String
    /// The server's public URL: what peers connect to and what signatures cover.
    public let url: String
    /// Endpoint name → absolute URL.
    public let endpoints: [String: String]
    /// The challenge that was asked to be signed, if any.
    public let challenge: String?
    /// Base64url Ed25519 signature over ``proofMessage(challenge:did:url:)``.
    public let proof: String?

    /// The most characters a challenge may have.
    public static let maximumChallengeLength = 128

    public init(
        did: DID, name: String, version: String, url: String, endpoints: [String: String], challenge: String? = nil,
        proof: String? = nil
    ) {
        self.did = did
        self.name = name
        self.version = version
        self.url = url
        self.endpoints = endpoints
        self.challenge = challenge
        self.proof = proof
    }

    /// The document of the server with `key`, answering `challenge` if one was asked.
    public static func make(
        key: IdentityKey, name: String, version: String, url: String, challenge: String?
    ) throws(ExchangeError) -> ServerInfo {
        let endpoints = [
            "exchange": url + "/exchange/v1/",
            "inbox": url + "/exchange/v1/inbox",
            "feed": url + "/exchange/v1/feed",
        ]
        guard let challenge else {
            return ServerInfo(did: key.did, name: name, version: version, url: url, endpoints: endpoints)
        }
        guard !challenge.isEmpty, challenge.utf8.count <= maximumChallengeLength,
            challenge.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { throw .invalidChallenge }
        let signature: Data
        do {
            signature = try key.signature(for: proofMessage(challenge: challenge, did: key.did, url: url))
        } catch {
            throw .invalidChallenge
        }
        return ServerInfo(
            did: key.did, name: name, version: version, url: url, endpoints: endpoints, challenge: challenge,
            proof: Base64URL.encode(Array(signature)))
    }

    /// The bytes the proof signs: a fixed context string, the challenge, the DID and the URL,
    /// so a proof made for one server or purpose cannot be reused for another.
    public static func proofMessage(challenge: String, did: DID, url: String) -> [UInt8] {
        Array("haven-peer-proof/v1\n\(challenge)\n\(did)\n\(url)".utf8)
    }

    /// Checks that this document answers `challenge` with a valid signature by its own DID's key.
    public func verifyProof(of challenge: String) throws(ExchangeError) {
        guard self.challenge == challenge, let proof, let signature = Base64URL.decode(proof) else {
            throw .proofMissing(did)
        }
        let message = Self.proofMessage(challenge: challenge, did: did, url: url)
        guard did.publicKey.isValidSignature(signature, for: message) else { throw .proofInvalid(did) }
    }

    /// A fresh random challenge (128 bits, base64url).
    public static func newChallenge() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in generator.next() as UInt8 })
    }
}
