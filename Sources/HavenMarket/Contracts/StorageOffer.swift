import Foundation
import HavenIdentity
import HavenStore

/// A provider's signed offer to store data: its ``OfferTerms``, who makes it (a did:key) and
/// until when it may be taken, named by the CID (dag-json) of its canonical bytes.
///
/// The canonical form is JSON with sorted keys and no whitespace, time as
/// `YYYY-MM-DDTHH:MM:SSZ`, and `sig`, the provider's Ed25519 signature in base64url over
/// ``signingDomain`` followed by the same object without `sig`. Parsing is strict: only the
/// canonical encoding of valid terms with a good signature is accepted, at most 4 KiB.
public struct StorageOffer: Sendable, Hashable {
    /// The largest accepted encoding.
    public static let maximumSize = 4 << 10
    /// Signatures cover this prefix and the unsigned offer, so they cannot be replayed as
    /// signatures of anything else the key signs.
    public static let signingDomain = Array("haven-storage-offer/v1\n".utf8)

    public let terms: OfferTerms
    public let provider: DID
    /// Whole seconds; the offer may not be taken after this time.
    public let expires: Date
    public let signature: [UInt8]
    /// The canonical bytes, signature included.
    public let encoded: [UInt8]

    /// The offer's id: CID (dag-json, sha2-256) of its canonical bytes.
    public var id: ContentID { ContentID.hashing(encoded, codec: .dagJSON) }

    /// Makes and signs an offer as `key`'s did:key.
    public init(terms: OfferTerms, expires: Date, by key: IdentityKey) throws {
        try terms.validate()
        let expires = CanonicalJSON.wholeSeconds(expires)
        let (signature, encoded) = try CanonicalJSON.signed(domain: Self.signingDomain, by: key) {
            OfferFields(terms, provider: key.did, expires: expires, sig: $0)
        }
        guard encoded.count <= Self.maximumSize else { throw ContractError.tooLarge(byteCount: encoded.count, limit: Self.maximumSize) }
        self.terms = terms
        self.provider = key.did
        self.expires = expires
        self.signature = signature
        self.encoded = encoded
    }

    /// Reads and checks an offer: size, canonical form, terms and the provider's signature.
    public init(parsing bytes: [UInt8]) throws(ContractError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(byteCount: bytes.count, limit: Self.maximumSize) }
        let fields: OfferFields
        switch CanonicalJSON.decode(OfferFields.self, from: bytes) {
        case .success(let decoded): fields = decoded
        case .failure(.malformed(let reason)): throw .malformed(reason)
        case .failure(.notCanonical): throw .notCanonical
        }
        guard let expires = CanonicalJSON.parseTime(fields.expires) else { throw .malformed("expires must be YYYY-MM-DDTHH:MM:SSZ") }
        guard let signature = CanonicalJSON.signature(fields.sig) else { throw .malformed("sig must be a base64url Ed25519 signature") }
        try fields.terms.validate()
        let unsigned = OfferFields(fields.terms, provider: fields.provider, expires: expires, sig: nil)
        guard CanonicalJSON.verify(signature, by: fields.provider, domain: Self.signingDomain, unsigned: unsigned) else {
            throw .badSignature(.provider)
        }
        self.terms = fields.terms
        self.provider = fields.provider
        self.expires = expires
        self.signature = signature
        self.encoded = bytes
    }

    /// Whether the offer can no longer be taken at `time`.
    public func isExpired(at time: Date) -> Bool {
        time > expires
    }

    public static func == (lhs: StorageOffer, rhs: StorageOffer) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }
}

/// The wire form of an offer.
private struct OfferFields: Codable {
    var capacityBytes: UInt64
    var pricePerGiBPerPeriod: Int64
    var periodSeconds: UInt64
    var minimumTermPeriods: UInt64
    var collateralPerMille: UInt64
    var challengesPerPeriod: UInt64
    var holdBackPerMille: UInt64
    var provider: DID
    var expires: String
    var sig: String?

    enum CodingKeys: String, CodingKey {
        case capacityBytes = "capacity_bytes"
        case pricePerGiBPerPeriod = "price_per_gib_period"
        case periodSeconds = "period_seconds"
        case minimumTermPeriods = "minimum_term_periods"
        case collateralPerMille = "collateral_per_mille"
        case challengesPerPeriod = "challenges_per_period"
        case holdBackPerMille = "hold_back_per_mille"
        case provider, expires, sig
    }

    init(_ terms: OfferTerms, provider: DID, expires: Date, sig: String?) {
        capacityBytes = terms.capacityBytes
        pricePerGiBPerPeriod = terms.pricePerGiBPerPeriod
        periodSeconds = terms.periodSeconds
        minimumTermPeriods = terms.minimumTermPeriods
        collateralPerMille = terms.collateralPerMille
        challengesPerPeriod = terms.challengesPerPeriod
        holdBackPerMille = terms.holdBackPerMille
        self.provider = provider
        self.expires = CanonicalJSON.format(expires)
        self.sig = sig
    }

    var terms: OfferTerms {
        OfferTerms(
            capacityBytes: capacityBytes, pricePerGiBPerPeriod: pricePerGiBPerPeriod, periodSeconds: periodSeconds,
            minimumTermPeriods: minimumTermPeriods, collateralPerMille: collateralPerMille,
            challengesPerPeriod: challengesPerPeriod, holdBackPerMille: holdBackPerMille)
    }
}
