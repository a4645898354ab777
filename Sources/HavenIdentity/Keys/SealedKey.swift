import Crypto
import CryptoExtras
import Foundation

/// A secret (an identity key's seed) sealed under a passphrase, for carrying it outside the
/// data directory: scrypt turns the passphrase and a random salt into a 256-bit key, and
/// AES-256-GCM seals the secret under it with `context` as additional data, so a sealed key
/// opens only with the right passphrase and for the purpose it was sealed for.
///
/// Every parameter needed to open it travels with it (JSON: `kdf`, `log_n`, `r`, `p`, `salt`,
/// `cipher`, `nonce`, `sealed`, binary fields in unpadded base64url). Opening refuses
/// parameters outside ``Parameters/acceptedRange`` before deriving anything, so a hostile
/// blob cannot make the opener spend gigabytes of memory.
public struct SealedKey: Codable, Sendable, Equatable {
    /// scrypt's cost: `N = 2^logN` rounds, block size `r`, parallelism `p`.
    public struct Parameters: Sendable, Equatable {
        public let logN: Int
        public let r: Int
        public let p: Int

        public init(logN: Int, r: Int, p: Int) {
            self.logN = logN
            self.r = r
            self.p = p
        }

        /// N = 2^17, r = 8, p = 1: 128 MiB and about half a second, as OWASP recommends for
        /// scrypt; the key it protects is the owner's whole identity.
        public static let standard = Parameters(logN: 17, r: 8, p: 1)

        /// The least costly parameters accepted, for tests that seal many times.
        public static let minimum = Parameters(logN: 10, r: 8, p: 1)

        /// The memory scrypt needs for these parameters, in bytes.
        public var memoryBytes: Int { 128 * r * (1 << logN) * p }

        /// Whether these are within what ``SealedKey/open(passphrase:context:)`` will run:
        /// `logN` 10 to 20, `r` 1 to 16, `p` 1 to 4, and at most 1 GiB of memory.
        public var isAccepted: Bool {
            (10...20).contains(logN) && (1...16).contains(r) && (1...4).contains(p) && memoryBytes <= 1 << 30
        }
    }

    /// Always `scrypt`.
    public let kdf: String
    public let logN: Int
    public let r: Int
    public let p: Int
    /// 16 random bytes, base64url.
    public let salt: String
    /// Always `aes-256-gcm`.
    public let cipher: String
    /// The 12-byte GCM nonce, base64url.
    public let nonce: String
    /// The ciphertext followed by the 16-byte tag, base64url.
    public let sealed: String

    enum CodingKeys: String, CodingKey {
        case kdf, r, p, salt, cipher, nonce, sealed
        case logN = "log_n"
    }

    static let kdfName = "scrypt"
    static let cipherName = "aes-256-gcm"
    /// The longest secret sealed: far more than a key needs, small enough that a sealed key
    /// stays a short line of JSON.
    public static let maximumSecretSize = 4096

    /// The parameters this key was sealed with.
    public var parameters: Parameters { Parameters(logN: logN, r: r, p: p) }

    /// Seals `secret` under `passphrase`. `context` names what it is for (it must be given
    /// again to open it); `parameters` must be accepted by ``open(passphrase:context:)``.
    public static func seal(
        _ secret: [UInt8], passphrase: String, context: [UInt8], parameters: Parameters = .standard
    ) throws(SealedKeyError) -> SealedKey {
        guard parameters.isAccepted else { throw .unsupported(reason: "scrypt parameters \(parameters) are outside the accepted range") }
        guard !secret.isEmpty, secret.count <= maximumSecretSize else {
            throw .unsupported(reason: "a sealed secret has 1 to \(maximumSecretSize) bytes, not \(secret.count)")
        }
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        let key = try derive(passphrase: passphrase, salt: salt, parameters: parameters)
        do {
            let box = try AES.GCM.seal(secret, using: key, nonce: AES.GCM.Nonce(), authenticating: context)
            return SealedKey(
                kdf: kdfName, logN: parameters.logN, r: parameters.r, p: parameters.p, salt: Base64URL.encode(salt),
                cipher: cipherName, nonce: Base64URL.encode(box.nonce), sealed: Base64URL.encode(box.ciphertext + box.tag))
        } catch {
            throw .unsupported(reason: "AES-GCM could not seal: \(error)")
        }
    }

    /// The secret, if `passphrase` and `context` are the ones it was sealed with.
    ///
    /// - Throws: ``SealedKeyError/wrongPassphrase`` when the passphrase (or the context, or any
    ///   byte of the sealed key) is wrong; ``SealedKeyError/unsupported(reason:)`` for a blob
    ///   this version cannot open.
    public func open(passphrase: String, context: [UInt8]) throws(SealedKeyError) -> [UInt8] {
        guard kdf == Self.kdfName else { throw .unsupported(reason: "the key derivation '\(kdf)' is not supported; only scrypt is") }
        guard cipher == Self.cipherName else {
            throw .unsupported(reason: "the cipher '\(cipher)' is not supported; only aes-256-gcm is")
        }
        guard parameters.isAccepted else {
            throw .unsupported(reason: "scrypt parameters log_n \(logN), r \(r), p \(p) are outside the accepted range")
        }
        guard let salt = Base64URL.decode(salt), salt.count >= 16,
            let nonceBytes = Base64URL.decode(nonce), nonceBytes.count == 12,
            let sealedBytes = Base64URL.decode(sealed), sealedBytes.count > 16,
            sealedBytes.count <= Self.maximumSecretSize + 16
        else { throw .unsupported(reason: "the salt, nonce or sealed bytes are not of the expected sizes") }
        let key = try Self.derive(passphrase: passphrase, salt: salt, parameters: parameters)
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonceBytes), ciphertext: sealedBytes.dropLast(16), tag: sealedBytes.suffix(16))
            return Array(try AES.GCM.open(box, using: key, authenticating: context))
        } catch {
            throw .wrongPassphrase
        }
    }

    private static func derive(passphrase: String, salt: [UInt8], parameters: Parameters) throws(SealedKeyError) -> SymmetricKey {
        // One spelling per passphrase: the same characters typed on any system derive the same key.
        let bytes = Array(passphrase.precomposedStringWithCanonicalMapping.utf8)
        guard !bytes.isEmpty else { throw .emptyPassphrase }
        do {
            return try KDF.Scrypt.deriveKey(
                from: bytes, salt: salt, outputByteCount: 32, rounds: 1 << parameters.logN, blockSize: parameters.r,
                parallelism: parameters.p)
        } catch {
            throw .unsupported(reason: "scrypt failed: \(error)")
        }
    }
}

/// Why a ``SealedKey`` could not be made or opened.
public enum SealedKeyError: Error, Equatable, Sendable {
    /// The passphrase does not open it (or it was altered: the two cannot be told apart).
    case wrongPassphrase
    /// No passphrase was given.
    case emptyPassphrase
    /// It uses an algorithm or parameters this version does not accept.
    case unsupported(reason: String)
}

extension SealedKeyError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .wrongPassphrase: "the passphrase is wrong (or the sealed key was altered)"
        case .emptyPassphrase: "the passphrase is empty"
        case .unsupported(let reason): "the sealed key cannot be opened by this version of Haven: \(reason)"
        }
    }
}
