/// Why a home's keyring cannot be made, read or unlocked, with what to do about it. No case
/// carries a secret.
public enum KeyringError: Error, Equatable, Sendable {
    /// The secret given does not open the keyring: wrong passphrase or key file.
    case doesNotUnlock(UnlockSecret.Kind)
    /// The keyring is unlocked with the other kind of secret.
    case wrongKind(needs: UnlockSecret.Kind, given: UnlockSecret.Kind)
    /// A secret is too weak or too long to encrypt a home with.
    case unusableSecret(reason: String)
    /// The keyring file does not parse or asks for something this version cannot do.
    case malformed(path: String, reason: String)
    /// The keyring file cannot be read or written.
    case io(path: String, reason: String)
    /// The keyring file is open to other users.
    case insecurePermissions(path: String, mode: UInt16)
}

extension KeyringError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .doesNotUnlock(.passphrase):
            "the passphrase does not unlock this home (nothing was started or changed); check it and try again"
        case .doesNotUnlock(.keyFile):
            "the key file does not unlock this home (nothing was started or changed); use the key file it was encrypted with"
        case .wrongKind(let needs, _):
            needs == .passphrase
                ? "this home is unlocked with a passphrase, not a key file; use --passphrase-fd or type it at the prompt"
                : "this home is unlocked with a key file, not a passphrase; use --key-file FILE"
        case .unusableSecret(let reason):
            "\(reason); nothing was changed"
        case .malformed(let path, let reason):
            "the keyring \(path) is damaged: \(reason)"
        case .io(let path, let reason):
            "cannot use the keyring \(path): \(reason)"
        case .insecurePermissions(let path, let mode):
            "\(path) is readable by other users (mode \(String(mode, radix: 8))); run 'chmod 600 \(path)'"
        }
    }
}
