import Crypto
import Foundation

/// An Ed25519 signing key: the owner's identity. It never leaves the data directory; what the
/// world sees is its ``DID``.
///
/// On disk it is a PKCS#8 PEM file (`-----BEGIN PRIVATE KEY-----`), the form OpenSSL and other
/// tooling read, so a user can inspect or back it up with the tools they know.
public struct IdentityKey: Sendable {
    /// The DER prefix of a PKCS#8 Ed25519 private key (RFC 8410), followed by the 32-byte seed.
    static let pkcs8Prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]
    static let pemHeader = "-----BEGIN PRIVATE KEY-----"
    static let pemFooter = "-----END PRIVATE KEY-----"

    /// The underlying swift-crypto key.
    public let privateKey: Curve25519.Signing.PrivateKey

    /// Generates a new random key.
    public init() {
        self.privateKey = Curve25519.Signing.PrivateKey()
    }

    /// Wraps a 32-byte Ed25519 seed.
    public init(seed: some ContiguousBytes) throws(IdentityError) {
        do {
            self.privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw .invalidKey(reason: "an Ed25519 seed has 32 bytes")
        }
    }

    /// Parses the PEM text written by ``pemRepresentation``.
    public init(pemRepresentation pem: String) throws(IdentityError) {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = lines.firstIndex(of: Self.pemHeader),
            let end = lines.firstIndex(of: Self.pemFooter), start < end
        else {
            throw .invalidKey(reason: "expected a PEM block '\(Self.pemHeader)'")
        }
        guard let der = Data(base64Encoded: lines[(start + 1)..<end].joined()) else {
            throw .invalidKey(reason: "the PEM body is not valid base64")
        }
        guard der.count == Self.pkcs8Prefix.count + 32, der.starts(with: Self.pkcs8Prefix) else {
            throw .invalidKey(reason: "the PEM block is not a PKCS#8 Ed25519 private key")
        }
        try self.init(seed: der.suffix(32))
    }

    /// PKCS#8 PEM text, as written to `owner.key`.
    public var pemRepresentation: String {
        let der = Data(Self.pkcs8Prefix) + privateKey.rawRepresentation
        let body = der.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "\(Self.pemHeader)\n\(body)\n\(Self.pemFooter)\n"
    }

    /// The public identifier of this key.
    public var did: DID { DID(publicKey: privateKey.publicKey) }

    /// Signs a message (Ed25519, RFC 8032).
    public func signature(for message: some DataProtocol) throws -> Data {
        try privateKey.signature(for: message)
    }
}
