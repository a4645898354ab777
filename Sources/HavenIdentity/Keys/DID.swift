import Crypto

/// A `did:key` identifier for an Ed25519 public key: the multicodec prefix `ed25519-pub`
/// (0xed 0x01) and the 32 key bytes, base58btc-encoded with the multibase prefix `z`, so the
/// string reads `did:key:z6Mk…` and resolves with any did:key tooling.
public struct DID: Hashable, Sendable, CustomStringConvertible {
    static let scheme = "did:key:"
    static let ed25519Multicodec: [UInt8] = [0xED, 0x01]

    /// The raw 32-byte Ed25519 public key.
    public let publicKeyBytes: [UInt8]

    /// Makes the identifier of an Ed25519 public key.
    public init(publicKey: Curve25519.Signing.PublicKey) {
        self.publicKeyBytes = Array(publicKey.rawRepresentation)
    }

    /// Parses `did:key:z…`, accepting only Ed25519 keys.
    public init(parsing string: String) throws(IdentityError) {
        guard string.hasPrefix(Self.scheme) else {
            throw .invalidDID(string, reason: "it does not start with '\(Self.scheme)'")
        }
        let multibase = string.dropFirst(Self.scheme.count)
        guard multibase.first == "z" else {
            throw .invalidDID(string, reason: "only base58btc ('z') multibase is supported")
        }
        guard let bytes = Base58.decode(multibase.dropFirst()) else {
            throw .invalidDID(string, reason: "it holds characters outside the base58 alphabet")
        }
        guard bytes.starts(with: Self.ed25519Multicodec) else {
            throw .invalidDID(string, reason: "only Ed25519 keys (multicodec 0xed01) are supported")
        }
        let key = Array(bytes.dropFirst(Self.ed25519Multicodec.count))
        guard key.count == 32 else {
            throw .invalidDID(string, reason: "an Ed25519 key has 32 bytes, this one has \(key.count)")
        }
        self.publicKeyBytes = key
    }

    /// The key, for verifying signatures made by this identity.
    public var publicKey: Curve25519.Signing.PublicKey {
        // The bytes were checked to be 32 long, the only condition rawRepresentation imposes.
        try! Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes)
    }

    /// The `did:key:z6Mk…` string.
    public var description: String {
        Self.scheme + "z" + Base58.encode(Self.ed25519Multicodec + publicKeyBytes)
    }
}

extension DID: StringCodable {}
