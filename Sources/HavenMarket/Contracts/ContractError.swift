import Foundation
import HavenIdentity

/// Why an offer or a contract revision was refused. Each case names what to fix: the document,
/// a signature, the terms, or the revision's relation to the one before it.
public enum ContractError: Error, Equatable, Sendable {
    /// A document is larger than its type allows.
    case tooLarge(byteCount: Int, limit: Int)
    /// A document is not valid JSON of its type, or a field is out of its domain.
    case malformed(String)
    /// The bytes decode, but are not the one canonical encoding of what they say.
    case notCanonical
    /// A signature does not verify against the key of the party it claims.
    case badSignature(ContractParty)
    /// A key that is neither party's tried to sign a revision.
    case notAParty(DID)
    /// An offer's numbers are outside what an offer may say.
    case invalidTerms(String)
    /// An offer was taken after its expiry.
    case offerExpired(expires: Date)
    /// Revision 0 does not match the offer it claims to take.
    case offerMismatch(String)
    /// A revision lacks the signature of one party (or both) and binds no one yet.
    case notBinding(missing: [ContractParty])
    /// A revision's number is not above the current one: out of order or replayed.
    case staleRevision(current: UInt64, proposed: UInt64)
    /// A revision changes a field that is fixed for the life of the contract.
    case fixedFieldChanged(String)
    /// A revision's balances do not add up to the contract's total.
    case balancesNotConserved(expected: Int64, actual: Int64?)
    /// A revision leaves a balance below zero.
    case negativeBalance(String)
    /// A revision follows one that closed the contract.
    case contractClosed(ContractStatus)
    /// A revision goes back in periods, or past the term.
    case invalidPeriod(String)
    /// The consumer's remaining balance does not cover a period's fee.
    case insufficientFunds(needed: Int64, available: Int64)
    /// An amount does not fit in 64 bits.
    case arithmeticOverflow(String)
}

extension ContractError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tooLarge(let byteCount, let limit):
            "the document is \(byteCount) bytes; at most \(limit) are accepted"
        case .malformed(let reason):
            "the document is malformed: \(reason)"
        case .notCanonical:
            "the document is not in canonical form (sorted keys, no whitespace, no unknown fields); re-encode it"
        case .badSignature(let party):
            "the \(party.rawValue)'s signature does not verify; the document was altered or signed by another key"
        case .notAParty(let did):
            "\(did) is neither the consumer nor the provider of this contract and cannot sign it"
        case .invalidTerms(let reason):
            "the offer's terms are invalid: \(reason)"
        case .offerExpired(let expires):
            "the offer expired at \(CanonicalJSON.format(expires)); ask the provider for a new one"
        case .offerMismatch(let reason):
            "revision 0 does not match the offer: \(reason)"
        case .notBinding(let missing):
            "the revision is not binding until signed by the \(missing.map(\.rawValue).joined(separator: " and "))"
        case .staleRevision(let current, let proposed):
            "revision \(proposed) is not newer than the current revision \(current); it is out of order or replayed"
        case .fixedFieldChanged(let field):
            "the revision changes '\(field)', which is fixed for the life of the contract"
        case .balancesNotConserved(let expected, let actual):
            "the balances add up to \(actual.map(String.init) ?? "more than 64 bits hold") instead of \(expected): a revision may move credit, never create or destroy it"
        case .negativeBalance(let field):
            "the revision leaves '\(field)' negative"
        case .contractClosed(let status):
            "the contract is \(status.rawValue); no revision may follow"
        case .invalidPeriod(let reason):
            "invalid period: \(reason)"
        case .insufficientFunds(let needed, let available):
            "the period costs \(needed) micro-credits but the consumer has only \(available) left"
        case .arithmeticOverflow(let what):
            "\(what) does not fit in 64 bits; use smaller terms"
        }
    }
}
