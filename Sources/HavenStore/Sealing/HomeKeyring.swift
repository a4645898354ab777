import Crypto
import CryptoExtras
import Foundation
import HavenIdentity

#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
#endif

/// An encrypted home's keyring (`keyring.json`, mode 0600): its data key, sealed with
/// AES-256-GCM under a key derived from the owner's passphrase (scrypt) or key file
/// (HKDF-SHA256), with what is needed to derive that key again (the salt and scrypt's cost).
///
/// The seal's associated data binds the format, the home (the owner's did:key) and every
/// derivation parameter, so a keyring copied to another home or edited to a cheaper cost does
/// not open. A wrong passphrase fails authentication: ``unlock(with:)`` throws
/// ``KeyringError/doesNotUnlock(_:)`` before anything reads the home's data.
///
/// ```swift
/// let dataKey = try HomeKeyring.read(from: home.keyringFile).unlock(with: .passphrase(bytes))
/// ```
public struct HomeKeyring: Sendable, Equatable, Codable {
    /// The only format this version writes and reads.
    public static let currentFormat = "haven-keyring/1"

    public let format: String
    /// The home the key belongs to: its owner's did:key.
    public let home: String
    /// What unlocks it.
    public let unlock: UnlockSecret.Kind
    /// `scrypt` for a passphrase, `hkdf-sha256` for a key file.
    public let kdf: String
    /// scrypt's cost, for a passphrase.
    public let scrypt: ScryptParameters?
    /// The salt of the derivation, base64url.
    public let salt: String
    /// The data key sealed with AES-256-GCM: nonce, ciphertext and tag, base64url.
    public let sealedKey: String

    enum CodingKeys: String, CodingKey {
        case format, home, unlock, kdf, scrypt, salt
        case sealedKey = "sealed_key"
    }

    /// Seals `dataKey` for `home` (the owner's did:key) under `secret`.
    ///
    /// - Throws: ``KeyringError/unusableSecret(reason:)`` for a passphrase under 8 characters
    ///   or a key file under 32 bytes.
    public static func create(
        for dataKey: DataKey, home: String, secret: UnlockSecret, scrypt: ScryptParameters = .standard
    ) throws(KeyringError) -> HomeKeyring {
        if let problem = secret.problem { throw .unusableSecret(reason: problem) }
        if secret.kind == .passphrase, let problem = scrypt.problem { throw .unusableSecret(reason: problem) }
        let salt = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let unsealed = HomeKeyring(
            format: currentFormat, home: home, unlock: secret.kind,
            kdf: secret.kind == .passphrase ? "scrypt" : "hkdf-sha256",
            scrypt: secret.kind == .passphrase ? scrypt : nil, salt: Base64URL.encode(salt), sealedKey: "")
        let wrappingKey = try unsealed.wrappingKey(from: secret, salt: salt)
        do {
            let box = try dataKey.withUnsafeBytes { bytes in
                try AES.GCM.seal(bytes, using: wrappingKey, authenticating: unsealed.associatedData)
            }
            guard let combined = box.combined else { throw KeyringError.unusableSecret(reason: "AES-GCM gave no sealed box") }
            return HomeKeyring(
                format: unsealed.format, home: home, unlock: unsealed.unlock, kdf: unsealed.kdf, scrypt: unsealed.scrypt,
                salt: unsealed.salt, sealedKey: Base64URL.encode(combined))
        } catch {
            throw .unusableSecret(reason: "the data key cannot be sealed: \(error)")
        }
    }

    /// The data key, if `secret` is the one the keyring was sealed with.
    public func unlock(with secret: UnlockSecret) throws(KeyringError) -> DataKey {
        let salt = try checked()
        guard secret.kind == unlock else { throw .wrongKind(needs: unlock, given: secret.kind) }
        switch secret {
        case .passphrase(let bytes), .keyFile(let bytes):
            guard !bytes.isEmpty, bytes.count <= UnlockSecret.maximumLength else { throw .doesNotUnlock(unlock) }
        }
        let wrappingKey = try wrappingKey(from: secret, salt: salt)
        guard let sealed = Base64URL.decode(sealedKey),
            let box = try? AES.GCM.SealedBox(combined: sealed)
        else { throw .malformed(path: "", reason: "sealed_key is not an AES-GCM sealed box") }
        guard let opened = try? AES.GCM.open(box, using: wrappingKey, authenticating: associatedData) else {
            throw .doesNotUnlock(unlock)
        }
        guard let key = DataKey(bytes: opened) else {
            throw .malformed(path: "", reason: "the sealed key is \(opened.count) bytes, not \(DataKey.byteCount)")
        }
        return key
    }

    /// Checks what this version can use; returns the decoded salt.
    private func checked() throws(KeyringError) -> [UInt8] {
        guard format == Self.currentFormat else {
            throw .malformed(path: "", reason: "its format is \(format), and this Haven reads \(Self.currentFormat)")
        }
        guard let salt = Base64URL.decode(self.salt), (16...64).contains(salt.count) else {
            throw .malformed(path: "", reason: "the salt is not 16 to 64 bytes of base64url")
        }
        switch unlock {
        case .passphrase:
            guard kdf == "scrypt", let scrypt else { throw .malformed(path: "", reason: "a passphrase needs scrypt and its parameters") }
            if let problem = scrypt.problem { throw .malformed(path: "", reason: problem) }
        case .keyFile:
            guard kdf == "hkdf-sha256", scrypt == nil else { throw .malformed(path: "", reason: "a key file needs hkdf-sha256") }
        }
        guard let sealed = Base64URL.decode(sealedKey), sealed.count == 12 + DataKey.byteCount + 16 else {
            throw .malformed(path: "", reason: "sealed_key is not a sealed \(DataKey.byteCount)-byte key")
        }
        return salt
    }

    /// The key that seals the data key, from the secret and the stored parameters.
    private func wrappingKey(from secret: UnlockSecret, salt: [UInt8]) throws(KeyringError) -> SymmetricKey {
        switch secret {
        case .passphrase(let bytes):
            let cost = scrypt ?? .standard
            do {
                return try KDF.Scrypt.deriveKey(
                    from: bytes, salt: salt, outputByteCount: 32, rounds: 1 << cost.log2n, blockSize: cost.r,
                    parallelism: cost.p)
            } catch {
                throw .unusableSecret(reason: "scrypt failed (\(error)); the machine may lack the \(cost.memory >> 20) MiB it needs")
            }
        case .keyFile(let bytes):
            return HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: bytes), salt: salt, info: Array("haven-keyring/1 key-file".utf8),
                outputByteCount: 32)
        }
    }

    /// Everything the seal must bind, one field a line.
    private var associatedData: [UInt8] {
        var text = "\(format)\nhome \(home)\nunlock \(unlock.rawValue)\nkdf \(kdf)\n"
        if let scrypt { text += "scrypt \(scrypt.log2n) \(scrypt.r) \(scrypt.p)\n" }
        text += "salt \(salt)\n"
        return Array(text.utf8)
    }
}

extension HomeKeyring {
    /// The largest keyring file read.
    static let maximumFileSize = 64 * 1024

    /// Reads the keyring at `path`, refusing one other users may read or write.
    public static func read(from path: String) throws(KeyringError) -> HomeKeyring {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        let mode = UInt16(status.st_mode & 0o777)
        guard mode & 0o077 == 0 else { throw .insecurePermissions(path: path, mode: mode) }
        guard Int(status.st_size) <= maximumFileSize else { throw .malformed(path: path, reason: "it is larger than a keyring can be") }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        let keyring: HomeKeyring
        do {
            keyring = try JSONDecoder().decode(HomeKeyring.self, from: Data(bytes[..<filled]))
        } catch {
            throw .malformed(path: path, reason: "it is not a Haven keyring (\(error))")
        }
        do {
            _ = try keyring.checked()
        } catch .malformed(_, let reason) {
            throw .malformed(path: path, reason: reason)
        } catch {
            throw error
        }
        return keyring
    }

    /// Writes the keyring to `path` whole or not at all: a new file (mode 0600) beside it,
    /// synced, renamed over `path`, and the directory synced.
    public func write(to path: String) throws(KeyringError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
        } catch {
            throw .io(path: path, reason: "cannot encode the keyring: \(error)")
        }
        try Self.writeAtomically(bytes, to: path)
    }

    /// Replaces `path` with `bytes` (mode 0600) so that a crash leaves the old file or the new.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(KeyringError) {
        let temporary = path + ".tmp-" + UUID().uuidString
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io(path: temporary, reason: String(cString: strerror(errno))) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporary)
                throw .io(path: temporary, reason: reason)
            }
            written += count
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(temporary)
            throw .io(path: temporary, reason: reason)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: path, reason: reason)
        }
        try syncDirectory(of: path)
    }

    /// Makes a rename or an unlink in the directory of `path` durable.
    static func syncDirectory(of path: String) throws(KeyringError) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(path: directory, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(path: directory, reason: String(cString: strerror(errno))) }
    }
}
