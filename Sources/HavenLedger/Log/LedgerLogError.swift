/// Why the ledger's log could not do what was asked.
public enum LedgerLogError: Error, Equatable, Sendable {
    case io(String)
    /// A full tile already on disk would change: the log would rewrite what it published.
    case tileChanged(String)
}

extension LedgerLogError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .io(let what): "the ledger's files could not be written or read: \(what)"
        case .tileChanged(let path):
            "refusing to change the published tile \(path): a log never rewrites what it published"
        }
    }
}
