/// Why a ledger record, or a chain of them, was not accepted.
public enum LedgerRecordError: Error, Equatable, Sendable {
    case tooLarge(Int)
    case malformed(String)
    /// The bytes parse, but are not the record's canonical encoding.
    case notCanonical
    case badSignature
    /// An ownership chain does not hold: which record, and why.
    case brokenChain(record: String, reason: String)
}

extension LedgerRecordError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tooLarge(let size): "a ledger record is at most 64 KiB; this one is \(size) bytes"
        case .malformed(let reason): "the ledger record is malformed: \(reason)"
        case .notCanonical: "the ledger record is not in canonical form (sorted keys, no spaces, exact fields)"
        case .badSignature: "the ledger record's signature does not verify against its issuer's did:key"
        case .brokenChain(let record, let reason): "the ownership chain breaks at record \(record): \(reason)"
        }
    }
}
