import Foundation
import HavenStore

extension HavenHome {
    /// Whether a home's data is sealed.
    public enum EncryptionState: Sendable, Equatable {
        /// No keyring: chunks and catalog as they are.
        case plain
        /// `keyring.json`: every chunk and sensitive column sealed under its data key.
        case encrypted
        /// `keyring.pending.json`: `haven encrypt` started and did not finish.
        case unfinished
    }

    /// Which state the home is in, from the keyring files it has.
    public var encryptionState: EncryptionState {
        if access(keyringFile, F_OK) == 0 { return .encrypted }
        if access(pendingKeyringFile, F_OK) == 0 { return .unfinished }
        return .plain
    }

    /// The data key of an encrypted home, if `secret` unlocks its keyring.
    ///
    /// - Throws: ``HomeError/keyring(_:)`` with ``KeyringError/doesNotUnlock(_:)`` for a wrong
    ///   passphrase or key file, before anything of the home is read.
    public func unlock(with secret: UnlockSecret) throws(HomeError) -> DataKey {
        try Self.unlock(keyringAt: keyringFile, with: secret)
    }

    static func unlock(keyringAt path: String, with secret: UnlockSecret) throws(HomeError) -> DataKey {
        do {
            return try HomeKeyring.read(from: path).unlock(with: secret)
        } catch .malformed(_, let reason) {
            throw .keyring(.malformed(path: path, reason: reason))
        } catch {
            throw .keyring(error)
        }
    }
}
