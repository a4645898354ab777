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
        }
    }
}
