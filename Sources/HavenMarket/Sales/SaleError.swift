import Foundation

/// Why a listing, a purchase order or a delivery was refused. Each case names what to fix.
public enum SaleError: Error, Equatable, Sendable {
    /// A document is larger than its type allows.
    case tooLarge(byteCount: Int, limit: Int)
    /// A document is not valid JSON of its type, or a field is out of its domain.
    case malformed(String)
    /// The bytes decode, but are not the one canonical encoding of what they say.
    case notCanonical
    /// The signature does not verify against the key the document names.
    case badSignature(String)
    /// A listing's or order's numbers are outside what they may say.
    case invalidTerms(String)
    /// A listing was bought after it expired.
    case listingExpired(expires: Date)
    /// An order does not match the listing it claims to buy.
    case orderMismatch(String)
    /// Delivered content is not the content the listing offered.
    case contentMismatch(offered: String, delivered: String)
}

extension SaleError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tooLarge(let byteCount, let limit):
            "the document is \(byteCount) bytes; at most \(limit) are accepted"
        case .malformed(let reason):
            "the document is malformed: \(reason)"
        case .notCanonical:
            "the document is not in canonical form (sorted keys, no whitespace, no unknown fields); re-encode it"
        case .badSignature(let who):
            "the \(who)'s signature does not verify; the document was altered or signed by another key"
        case .invalidTerms(let reason):
            "the terms are invalid: \(reason)"
        case .listingExpired(let expires):
            "the listing expired at \(CanonicalJSON.format(expires)); ask the seller for a new one"
        case .orderMismatch(let reason):
            "the purchase order does not match the listing: \(reason)"
        case .contentMismatch(let offered, let delivered):
            "the seller delivered \(delivered), not the offered content \(offered); it was not kept"
        }
    }
}
