import Foundation
import HavenIdentity
import HavenMarket
import HavenStore
import Testing

@Suite struct DataListingTests {
    let seller = IdentityKey()
    let buyer = IdentityKey()
    let content = ContentID.hashing(Array("the file".utf8), codec: .dagJSON)
    let policy = ContentID.hashing(Array("the policy".utf8), codec: .dagJSON)

    func terms(price: Int64 = 5_000_000, use: SaleUse = .copy, delivery: UInt64 = 60, agent: String? = nil) -> DataListing.Terms {
        DataListing.Terms(content: content, title: "trip.jpg", price: price, use: use, policy: policy, deliverySeconds: delivery, agent: agent)
    }

    @Test func aListingReadsBackAndItsIdNamesItsBytes() throws {
        let listing = try DataListing(terms: terms(), expires: Date() + 3600, by: seller)
        let read = try DataListing(parsing: listing.encoded)
        #expect(read == listing)
        #expect(read.terms == terms())
        #expect(read.seller == seller.did)
        #expect(read.id == ContentID.hashing(listing.encoded, codec: .dagJSON))
        let ai = try DataListing(terms: terms(use: .ai, agent: "assistant"), expires: Date() + 3600, by: seller)
        #expect(try DataListing(parsing: ai.encoded).terms.agent == "assistant")
    }

    @Test func anAlteredOrNonCanonicalListingIsRefused() throws {
        let listing = try DataListing(terms: terms(), expires: Date() + 3600, by: seller)
        let text = String(decoding: listing.encoded, as: UTF8.self)
        let cheaper = Array(text.replacingOccurrences(of: "\"price\":5000000", with: "\"price\":1").utf8)
        #expect(throws: SaleError.badSignature("seller")) { try DataListing(parsing: cheaper) }
        let spaced = Array(text.replacingOccurrences(of: ",", with: ", ").utf8)
        #expect(throws: SaleError.notCanonical) { try DataListing(parsing: spaced) }
        #expect(throws: SaleError.self) { try DataListing(parsing: Array("{}".utf8)) }
    }

    @Test func termsOutsideTheirDomainAreRefused() throws {
        for bad in [
            terms(price: -1), terms(price: DataListing.maximumPrice + 1), terms(delivery: 1), terms(delivery: 31 * 86_400),
            terms(use: .ai), terms(use: .copy, agent: "assistant"), terms(use: .ai, agent: "Bad Name"),
        ] {
            #expect(throws: SaleError.self) { try DataListing(terms: bad, expires: Date() + 60, by: seller) }
        }
        #expect(throws: Never.self) { try DataListing(terms: terms(price: 0), expires: Date() + 60, by: seller) }
    }

    @Test func deliveryIsCheckedAgainstTheOfferedContent() throws {
        let listing = try DataListing(terms: terms(), expires: Date() + 3600, by: seller)
        try listing.checkDelivery(content)
        let other = ContentID.hashing(Array("another file".utf8), codec: .dagJSON)
        #expect(throws: SaleError.contentMismatch(offered: content.description, delivered: other.description)) {
            try listing.checkDelivery(other)
        }
    }

    @Test func anOrderNamesOneListingAtItsPriceAndIsCheckedByTheSeller() throws {
        let listing = try DataListing(terms: terms(), expires: Date() + 3600, by: seller)
        let now = Date()
        let id = PurchaseID.random()
        let order = try PurchaseOrder(purchase: id, listing: listing, at: now, by: buyer)
        let read = try PurchaseOrder(parsing: order.encoded)
        #expect(read == order)
        #expect((read.purchase, read.price, read.buyer, read.seller) == (id, 5_000_000, buyer.did, seller.did))
        try read.check(against: listing, now: now)
        #expect(read.deadline(for: listing) == read.time + 60)

        // Another listing, an order from long ago, a seller buying from itself: refused.
        let other = try DataListing(terms: terms(price: 7), expires: Date() + 3600, by: seller)
        #expect(throws: SaleError.self) { try read.check(against: other, now: now) }
        #expect(throws: SaleError.self) { try read.check(against: listing, now: now + 3600) }
        let own = try PurchaseOrder(purchase: .random(), listing: listing, at: now, by: seller)
        #expect(throws: SaleError.self) { try own.check(against: listing, now: now) }
        // An expired listing cannot be ordered.
        let expired = try DataListing(terms: terms(), expires: now - 10, by: seller)
        let late = try PurchaseOrder(purchase: .random(), listing: expired, at: now, by: buyer)
        #expect(throws: SaleError.self) { try late.check(against: expired, now: now) }

        // The price cannot be changed after signing.
        let text = String(decoding: order.encoded, as: UTF8.self)
        #expect(throws: SaleError.badSignature("buyer")) {
            try PurchaseOrder(parsing: Array(text.replacingOccurrences(of: "\"price\":5000000", with: "\"price\":1").utf8))
        }
    }

    @Test func purchaseIdsAre128RandomBitsInHex() {
        let ids = Set((0..<100).map { _ in PurchaseID.random() })
        #expect(ids.count == 100)
        #expect(ids.allSatisfy { PurchaseID($0.value) == $0 && $0.value.count == 32 })
        for bad in ["", "ABCDEF0123456789ABCDEF0123456789", String(repeating: "0", count: 31), String(repeating: "g", count: 32)] {
            #expect(PurchaseID(bad) == nil)
        }
    }
}
