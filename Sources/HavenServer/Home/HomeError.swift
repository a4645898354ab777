import HavenStore

/// Why the data directory cannot be created or used, with what to do about it.
public enum HomeError: Error, Equatable, Sendable {
    /// `haven init` found a Haven home already there.
    case alreadyInitialised(path: String)
    /// The path exists but is not an empty directory Haven may take over.
    case notEmpty(path: String)
    /// No Haven home at the path.
    case notInitialised(path: String)
    /// The path is there but is not a directory.
    case notADirectory(path: String)
    /// A file of the home cannot be read or written.
    case unreadable(path: String, reason: String)
    /// A secret file is open to other users.
    case insecurePermissions(path: String, mode: UInt16)
    /// The model given to `haven init` cannot be installed.
    case defaultModelUnusable(reason: String)
    /// A file of the home holds something that does not parse.
    case corrupt(path: String, reason: String)
    /// The home is encrypted and nothing was given to unlock it.
    case locked(path: String)
    /// `haven encrypt` was interrupted; the home cannot be served until it is run again.
    case encryptionUnfinished(path: String)
    /// `haven encrypt` on a home that is encrypted already.
    case alreadyEncrypted(path: String)
    /// A way to unlock was given for a home that is not encrypted.
    case notEncrypted(path: String)
    /// A server is running on the home, and the operation needs it stopped.
    case inUse(path: String)
    /// `haven encrypt` is running on the home.
    case beingEncrypted(path: String)
    /// The keyring cannot be made, read or opened (a wrong passphrase among others).
    case keyring(KeyringError)
}

extension HomeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .alreadyInitialised(let path):
            "a Haven home already exists at \(path); nothing was changed (use another --home or HAVEN_HOME)"
        case .notEmpty(let path):
            "\(path) exists and is not an empty directory; choose another --home or HAVEN_HOME"
        case .notInitialised(let path):
            "no Haven home at \(path); run 'haven init' first (or set --home / HAVEN_HOME)"
        case .notADirectory(let path):
            "\(path) is not a directory; --home / HAVEN_HOME must name a directory"
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .insecurePermissions(let path, let mode):
            "\(path) is readable by other users (mode \(String(mode, radix: 8))); run 'chmod 600 \(path)'"
        case .defaultModelUnusable(let reason):
            "the default model cannot be installed, so no home was created: \(reason)"
        case .corrupt(let path, let reason):
            "\(path) is damaged: \(reason)"
        case .locked(let path):
            "the home at \(path) is encrypted and nothing was given to unlock it: pass --passphrase-fd N or --key-file FILE, "
                + "put haven-passphrase or haven-key in $CREDENTIALS_DIRECTORY (systemd LoadCredential), "
                + "or run on a terminal to type the passphrase"
        case .encryptionUnfinished(let path):
            "encrypting the home at \(path) was interrupted; run 'haven encrypt' again with the same passphrase or key file to finish it"
        case .alreadyEncrypted(let path):
            "the home at \(path) is encrypted already; nothing was changed"
        case .notEncrypted(let path):
            "the home at \(path) is not encrypted, so it needs no passphrase or key file (encrypt it with 'haven encrypt')"
        case .keyring(let error):
            error.description
        case .beingEncrypted(let path):
            "'haven encrypt' is running on the home at \(path); start the server when it has finished"
        case .inUse(let path):
            "a haven server is running on the home at \(path); stop it first, nothing was changed"
        }
    }
}
