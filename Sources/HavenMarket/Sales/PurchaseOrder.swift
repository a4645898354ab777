import Foundation
import HavenIdentity
import HavenStore

/// A buyer's signed order for one listing: the purchase id, the listing's CID, the price it
/// agrees to pay, buyer and seller, and when. It is the buyer's payment and its receipt: the
/// seller charges the price once per purchase id, and presenting the same order again gets
/// the same licence back. Named by the CID (dag-json) of its canonical bytes, which licence
/// and refund entries in both ledgers name.
public struct PurchaseOrder: Sendable, Hashable {
    public static let maximumSize = 2 << 10
    public static let signingDomain = Array("haven-purchase-order/v1\n".utf8)

    public let purchase: PurchaseID
    public let listing: ContentID
    /// In micro-credits: exactly the listing's price.
    public let price: Int64
    public let buyer: DID
    public let seller: DID
    /// Whole seconds; the delivery deadline counts from it.
    public let time: Date
    public let signature: [UInt8]
    public let encoded: [UInt8]

    public var id: ContentID { ContentID.hashing(encoded, codec: .dagJSON) }

    /// Orders `listing` as `key`'s did:key.
    public init(purchase: PurchaseID, listing: DataListing, at time: Date, by key: IdentityKey) throws {
        let time = CanonicalJSON.wholeSeconds(time)
        func fields(_ sig: String?) -> OrderFields {
            OrderFields(
                purchase: purchase.value, listing: listing.id.description, price: listing.terms.price, buyer: key.did,
                seller: listing.seller, time: CanonicalJSON.format(time), sig: sig)
        }
        let (signature, encoded) = try CanonicalJSON.signed(domain: Self.signingDomain, by: key, fields)
        self.purchase = purchase
        self.listing = listing.id
        self.price = listing.terms.price
        self.buyer = key.did
        self.seller = listing.seller
        self.time = time
        self.signature = signature
        self.encoded = encoded
    }

    /// Reads and checks an order: size, canonical form and the buyer's signature.
    public init(parsing bytes: [UInt8]) throws(SaleError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(byteCount: bytes.count, limit: Self.maximumSize) }
        let fields: OrderFields
        switch CanonicalJSON.decode(OrderFields.self, from: bytes) {
        case .success(let decoded): fields = decoded
        case .failure(.malformed(let reason)): throw .malformed(reason)
        case .failure(.notCanonical): throw .notCanonical
        }
        guard let purchase = PurchaseID(fields.purchase) else { throw .malformed("purchase must be 32 hex digits") }
        guard let listing = try? ContentID(parsing: fields.listing) else { throw .malformed("listing must be a CID") }
        guard let time = CanonicalJSON.parseTime(fields.time) else { throw .malformed("time must be YYYY-MM-DDTHH:MM:SSZ") }
        guard let signature = CanonicalJSON.signature(fields.sig) else { throw .malformed("sig must be a base64url Ed25519 signature") }
        var unsigned = fields
        unsigned.sig = nil
        guard CanonicalJSON.verify(signature, by: fields.buyer, domain: Self.signingDomain, unsigned: unsigned) else {
            throw .badSignature("buyer")
        }
        self.purchase = purchase
        self.listing = listing
        self.price = fields.price
        self.buyer = fields.buyer
        self.seller = fields.seller
        self.time = time
        self.signature = signature
        self.encoded = bytes
    }

    /// Checks the order against the listing it names, as the seller does before charging:
    /// the listing, its seller, its price, and that it was still open when ordered (allowing
    /// `skew` of clock difference between the servers).
    public func check(against listing: DataListing, now: Date, skew: TimeInterval = 300) throws(SaleError) {
        guard self.listing == listing.id else { throw .orderMismatch("it orders listing \(self.listing), not \(listing.id)") }
        guard seller == listing.seller else { throw .orderMismatch("it names seller \(seller), not \(listing.seller)") }
        guard price == listing.terms.price else {
            throw .orderMismatch("it pays \(price) micro-credits; the listing asks \(listing.terms.price)")
        }
        guard buyer != seller else { throw .orderMismatch("a seller cannot buy its own listing") }
        guard abs(time.timeIntervalSince(now)) <= skew else {
            throw .orderMismatch("it is dated \(CanonicalJSON.format(time)), more than \(Int(skew)) seconds from now")
        }
        guard !listing.isExpired(at: time) else { throw .listingExpired(expires: listing.expires) }
    }

    /// When the seller must have delivered by.
    public func deadline(for listing: DataListing) -> Date {
        time + TimeInterval(listing.terms.deliverySeconds)
    }

    public static func == (lhs: PurchaseOrder, rhs: PurchaseOrder) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }
}

private struct OrderFields: Codable {
    var purchase: String
    var listing: String
    var price: Int64
    var buyer: DID
    var seller: DID
    var time: String
    var sig: String?
}
