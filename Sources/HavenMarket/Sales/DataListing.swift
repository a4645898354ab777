import Foundation
import HavenIdentity
import HavenStore

/// A seller's signed offer of a licence to one piece of its data: the content (the CID of the
/// file version's manifest), its price, the ODRL policy the licence will carry (named by the
/// CID of its canonical JSON), what is sold (``SaleUse``), how long the seller has to deliver,
/// and until when it may be bought. Named by the CID (dag-json) of its canonical bytes.
///
/// The canonical form is JSON with sorted keys and no whitespace, time as
/// `YYYY-MM-DDTHH:MM:SSZ`, and `sig`, the seller's Ed25519 signature in base64url over
/// ``signingDomain`` followed by the same object without `sig`. Parsing is strict, as for
/// storage offers: only the canonical encoding of valid terms with a good signature.
public struct DataListing: Sendable, Hashable {
    /// The largest accepted encoding.
    public static let maximumSize = 4 << 10
    public static let signingDomain = Array("haven-data-listing/v1\n".utf8)
    /// The longest title.
    public static let maximumTitleLength = 200
    /// The highest price, in micro-credits (a billion credits).
    public static let maximumPrice: Int64 = 1_000_000_000_000_000
    /// How long a seller may take to deliver: from 5 seconds to 30 days.
    public static let deliveryRange: ClosedRange<UInt64> = 5...(30 * 86_400)

    /// What is offered.
    public struct Terms: Sendable, Hashable {
        /// The manifest CID of the file version sold.
        public var content: ContentID
        public var title: String
        /// In micro-credits.
        public var price: Int64
        public var use: SaleUse
        /// The CID of the licence policy's canonical JSON.
        public var policy: ContentID
        public var deliverySeconds: UInt64
        /// For ``SaleUse/ai``: the seller's agent the buyer may ask.
        public var agent: String?

        public init(
            content: ContentID, title: String, price: Int64, use: SaleUse, policy: ContentID, deliverySeconds: UInt64,
            agent: String? = nil
        ) {
            self.content = content
            self.title = title
            self.price = price
            self.use = use
            self.policy = policy
            self.deliverySeconds = deliverySeconds
            self.agent = agent
        }

        /// Checks every field's domain.
        public func validate() throws(SaleError) {
            guard !title.isEmpty, title.count <= DataListing.maximumTitleLength else {
                throw .invalidTerms("the title is 1 to \(DataListing.maximumTitleLength) characters")
            }
            guard (0...DataListing.maximumPrice).contains(price) else {
                throw .invalidTerms("the price is 0 to \(DataListing.maximumPrice) micro-credits")
            }
            guard DataListing.deliveryRange.contains(deliverySeconds) else {
                throw .invalidTerms("delivery takes 5 seconds to 30 days, not \(deliverySeconds) seconds")
            }
            switch (use, agent) {
            case (.copy, nil): break
            case (.copy, .some): throw .invalidTerms("only a compute-to-data (ai) listing names an agent")
            case (.ai, nil): throw .invalidTerms("a compute-to-data (ai) listing names the agent buyers may ask")
            case (.ai, .some(let name)):
                guard (1...64).contains(name.utf8.count),
                    name.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
                else { throw .invalidTerms("an agent name is 1 to 64 of a-z, 0-9, '-' and '_'") }
            }
        }
    }

    public let terms: Terms
    public let seller: DID
    /// Whole seconds; the listing may not be bought after this time.
    public let expires: Date
    public let signature: [UInt8]
    /// The canonical bytes, signature included.
    public let encoded: [UInt8]

    /// The listing's id: CID (dag-json, sha2-256) of its canonical bytes.
    public var id: ContentID { ContentID.hashing(encoded, codec: .dagJSON) }

    /// Makes and signs a listing as `key`'s did:key.
    public init(terms: Terms, expires: Date, by key: IdentityKey) throws {
        try terms.validate()
        let expires = CanonicalJSON.wholeSeconds(expires)
        let (signature, encoded) = try CanonicalJSON.signed(domain: Self.signingDomain, by: key) {
            ListingFields(terms, seller: key.did, expires: expires, sig: $0)
        }
        guard encoded.count <= Self.maximumSize else { throw SaleError.tooLarge(byteCount: encoded.count, limit: Self.maximumSize) }
        self.terms = terms
        self.seller = key.did
        self.expires = expires
        self.signature = signature
        self.encoded = encoded
    }

    /// Reads and checks a listing: size, canonical form, terms and the seller's signature.
    public init(parsing bytes: [UInt8]) throws(SaleError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(byteCount: bytes.count, limit: Self.maximumSize) }
        let fields: ListingFields
        switch CanonicalJSON.decode(ListingFields.self, from: bytes) {
        case .success(let decoded): fields = decoded
        case .failure(.malformed(let reason)): throw .malformed(reason)
        case .failure(.notCanonical): throw .notCanonical
        }
        guard let expires = CanonicalJSON.parseTime(fields.expires) else { throw .malformed("expires must be YYYY-MM-DDTHH:MM:SSZ") }
        guard let signature = CanonicalJSON.signature(fields.sig) else { throw .malformed("sig must be a base64url Ed25519 signature") }
        let terms = try fields.terms()
        try terms.validate()
        let unsigned = ListingFields(terms, seller: fields.seller, expires: expires, sig: nil)
        guard CanonicalJSON.verify(signature, by: fields.seller, domain: Self.signingDomain, unsigned: unsigned) else {
            throw .badSignature("seller")
        }
        self.terms = terms
        self.seller = fields.seller
        self.expires = expires
        self.signature = signature
        self.encoded = bytes
    }

    /// Whether the listing can no longer be bought at `time`.
    public func isExpired(at time: Date) -> Bool { time > expires }

    /// Checks delivered content (the manifest CID the seller's server lists for the licensed
    /// path) against what was offered, before anything is fetched or kept.
    public func checkDelivery(_ delivered: ContentID) throws(SaleError) {
        guard delivered == terms.content else {
            throw .contentMismatch(offered: terms.content.description, delivered: delivered.description)
        }
    }

    public static func == (lhs: DataListing, rhs: DataListing) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }
}

/// The wire form of a listing.
private struct ListingFields: Codable {
    var content: String
    var title: String
    var price: Int64
    var use: String
    var policy: String
    var deliverySeconds: UInt64
    var agent: String?
    var seller: DID
    var expires: String
    var sig: String?

    enum CodingKeys: String, CodingKey {
        case content, title, price, use, policy, agent, seller, expires, sig
        case deliverySeconds = "delivery_seconds"
    }

    init(_ terms: DataListing.Terms, seller: DID, expires: Date, sig: String?) {
        content = terms.content.description
        title = terms.title
        price = terms.price
        use = terms.use.rawValue
        policy = terms.policy.description
        deliverySeconds = terms.deliverySeconds
        agent = terms.agent
        self.seller = seller
        self.expires = CanonicalJSON.format(expires)
        self.sig = sig
    }

    func terms() throws(SaleError) -> DataListing.Terms {
        guard let content = try? ContentID(parsing: content) else { throw .malformed("content must be a CID") }
        guard let policy = try? ContentID(parsing: policy) else { throw .malformed("policy must be a CID") }
        guard let use = SaleUse(rawValue: use) else { throw .malformed("use must be copy or ai") }
        return DataListing.Terms(
            content: content, title: title, price: price, use: use, policy: policy, deliverySeconds: deliverySeconds, agent: agent)
    }
}
