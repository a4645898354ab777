import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenLedger
import HavenMarket
import HavenStore
import HavenTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// The seller's side of data sales on one server, through the real router, for a buyer `bob`
/// whose server signs its requests: listings refused with nothing published when they cannot
/// be sold, an order charged once per purchase id, and refunds only when due and undelivered.
/// Whole sales between servers run in tests/e2e/test_market_sales.py.
@Suite struct SalesRouteTests {
    let fixture: ServerFixture
    let bob = try! IdentityKey(seed: [UInt8](repeating: 7, count: 32))
    let policy = """
        {"@context": "http://www.w3.org/ns/odrl.jsonld", "@type": "Set", "uid": "urn:uuid:sale-policy",
         "permission": [{"uid": "urn:uuid:sale-rule", "action": "use",
                         "constraint": [{"leftOperand": "count", "operator": "lteq", "rightOperand": 2}]}]}
        """

    init() async throws {
        fixture = try ServerFixture()
        try await fixture.environment.store.put(Array("robin,12\n".utf8), at: DataPath(parsing: "/datasets/birds.csv"), author: "owner")
        _ = try fixture.catalog.savePeer(Peer(did: bob.did, name: "bob", url: "http://127.0.0.1:9", addedAt: Date()))
    }

    func signed(_ method: HTTPRequest.Method, _ target: String, body: [UInt8]? = nil, by key: IdentityKey) throws -> HTTPFields {
        var fields = HTTPFields()
        let uri = fixture.environment.exchange.publicURL + target
        for (name, value) in try RequestSigner(key: key).sign(method: method.rawValue, targetURI: uri, body: body, at: Date()) {
            fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        if body != nil { fields[.contentType] = "application/json" }
        return fields
    }

    func listing(_ client: some TestClientProtocol, delivery: UInt64 = 60) async throws -> ListingView {
        let body = try StorageMarket.encode(
            CreateListingRequest(path: "/datasets/birds.csv", price: 5000, policy: policy, deliverySeconds: delivery))
        let response = try await client.execute(
            uri: "/haven/market/listings", method: .post, headers: .bearer(fixture.ownerToken), body: ByteBuffer(bytes: body))
        #expect(response.status == .created)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ListingView.self, from: Data(buffer: response.body))
    }

    func present(_ client: some TestClientProtocol, _ order: PurchaseOrder, by key: IdentityKey? = nil) async throws -> TestResponse {
        let body = try StorageMarket.encode(PurchaseMessage(order: String(decoding: order.encoded, as: UTF8.self)))
        let target = "/exchange/v1/market/purchases"
        return try await client.execute(
            uri: target, method: .post, headers: try signed(.post, target, body: body, by: key ?? bob), body: ByteBuffer(bytes: body))
    }

    func receipt(_ response: TestResponse) throws -> SaleReceipt {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(SaleReceipt.self, from: Data(buffer: response.body))
    }

    @Test func listingsThatCannotBeSoldAreRefusedAndNothingIsPublished() async throws {
        defer { fixture.remove() }
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            for (request, code) in [
                (CreateListingRequest(path: "/datasets/", price: 5, policy: policy), "invalid_listing"),
                (CreateListingRequest(path: "/datasets/none.csv", price: 5, policy: policy), "not_found"),
                (CreateListingRequest(path: "/datasets/birds.csv", price: -5, policy: policy), "invalid_listing"),
                (CreateListingRequest(path: "/datasets/birds.csv", price: 5, policy: policy, deliverySeconds: 1), "invalid_listing"),
                (CreateListingRequest(path: "/datasets/birds.csv", price: 5, policy: policy, use: .ai, agent: "nobody"), "invalid_listing"),
                (CreateListingRequest(path: "/datasets/birds.csv", price: 5, policy: "{}"), "invalid_policy"),
            ] {
                let response = try await client.execute(
                    uri: "/haven/market/listings", method: .post, headers: .bearer(fixture.ownerToken),
                    body: ByteBuffer(bytes: try StorageMarket.encode(request)))
                #expect(response.status.code / 100 == 4, "\(request.path)")
                #expect(try ErrorBody(response.body).error.code == code, "\(request.path) \(request.price)")
            }
            #expect(try fixture.catalog.listings(includeWithdrawn: true).isEmpty)
            // Done right, the file is minted and listed, and the listing logged.
            let view = try await listing(client)
            #expect(view.path == "/datasets/birds.csv" && view.price == 5000 && view.logIndex != nil)
            let content = try ContentID(parsing: view.content)
            #expect(try fixture.catalog.ledgerRecords(about: content).contains { if case .mint = $0.record.statement { true } else { false } })
        }
    }

    @Test func anOrderIsChargedOncePerPurchaseIdAndAnsweredTheSameEveryTime() async throws {
        defer { fixture.remove() }
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let view = try await listing(client)
            let listed = try DataListing(parsing: Array(view.document.utf8))
            let order = try PurchaseOrder(purchase: .random(), listing: listed, at: Date(), by: bob)

            // A stranger's server may not buy; nothing is charged.
            let stranger = IdentityKey()
            let foreign = try PurchaseOrder(purchase: .random(), listing: listed, at: Date(), by: stranger)
            #expect(try await present(client, foreign, by: stranger).status == .forbidden)
            // An order signed by someone other than the asking server: refused.
            #expect(try await present(client, foreign).status == .forbidden)
            #expect(try fixture.catalog.sales().isEmpty)

            let first = try await present(client, order)
            #expect(first.status == .created)
            let paid = try receipt(first)
            #expect(paid.charged && paid.state == .pending && paid.path == "/datasets/birds.csv")
            let again = try await present(client, order)
            #expect(again.status == .ok)
            let repeated = try receipt(again)
            #expect(!repeated.charged && repeated.token == paid.token && repeated.licence == paid.licence)
            #expect(try fixture.catalog.sales().count == 1)

            // The licence is in the ledger, to bob, under the listed policy; the token is bob's.
            let record = try LedgerRecord(parsing: Array(paid.licence.utf8))
            #expect(record.statement == .licence(content: listed.terms.content, to: bob.did, policy: listed.terms.policy))
            let held = try HeldCapability.verify(paid.token, issuer: fixture.ownerKey.did, holder: bob.did, at: Date())
            #expect(held.capabilities == [Capability(resource: "/datasets/birds.csv", right: .read)])

            // The same purchase id on another order is refused, and charges nothing.
            let reused = try PurchaseOrder(purchase: order.purchase, listing: listed, at: Date() + 1, by: bob)
            let conflict = try await present(client, reused)
            #expect(conflict.status == .conflict)
            #expect(try ErrorBody(conflict.body).error.code == "purchase_id_used")
            #expect(try fixture.catalog.sales().count == 1)

            // A withdrawn listing sells no more; the sale made stands.
            _ = try fixture.catalog.withdrawListing(id: listed.id.description, at: Date())
            let late = try PurchaseOrder(purchase: .random(), listing: listed, at: Date(), by: bob)
            #expect(try await present(client, late).status == .gone)
            #expect(try await present(client, order).status == .ok)
            #expect(try fixture.catalog.sales().count == 1)
        }
    }

    @Test func aRefundIsGrantedOnlyAfterTheDeadlineAndOnlyIfNothingWasServed() async throws {
        defer { fixture.remove() }
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            // A minute to deliver: long enough that a loaded machine never reaches the deadline
            // of an order made just now, while orders dated 200 s back (within the 300 s of clock skew an order may have) are overdue.
            let listed = try DataListing(parsing: Array(try await listing(client, delivery: 60).document.utf8))
            func refund(_ order: PurchaseOrder) async throws -> TestResponse {
                let target = "/exchange/v1/market/purchases/\(order.purchase)/refund"
                let body = Array("{}".utf8)
                return try await client.execute(
                    uri: target, method: .post, headers: try signed(.post, target, body: body, by: bob), body: ByteBuffer(bytes: body))
            }
            // Ordered now: not due for a minute.
            let recent = try PurchaseOrder(purchase: .random(), listing: listed, at: Date(), by: bob)
            #expect(try await present(client, recent).status == .created)
            let early = try await refund(recent)
            #expect(early.status == .conflict)
            #expect(try ErrorBody(early.body).error.code == "not_due")

            // Ordered 200 s ago: due, never served, refunded, its licence revoked.
            let old = try PurchaseOrder(purchase: .random(), listing: listed, at: Date() - 200, by: bob)
            let paid = try receipt(try await present(client, old))
            let refunded = try await refund(old)
            #expect(refunded.status == .ok)
            #expect(try fixture.catalog.sale(purchase: old.purchase)?.state == .refunded)
            let share = try HeldCapability.verify(paid.token, issuer: fixture.ownerKey.did, holder: bob.did, at: Date()).id
            #expect(try fixture.catalog.isTokenRevoked(share))
            #expect(try await refund(old).status == .ok)

            // Ordered 200 s ago and served: not refunded; it counts as delivered.
            let served = try PurchaseOrder(purchase: .random(), listing: listed, at: Date() - 200, by: bob)
            let servedReceipt = try receipt(try await present(client, served))
            let servedShare = try HeldCapability.verify(servedReceipt.token, issuer: fixture.ownerKey.did, holder: bob.did, at: Date()).id
            try fixture.catalog.noteSaleServed(share: servedShare, at: Date())
            let refused = try await refund(served)
            #expect(refused.status == .conflict)
            #expect(try ErrorBody(refused.body).error.code == "served")
            #expect(try fixture.catalog.sale(purchase: served.purchase)?.state == .delivered)

            // Nobody else may ask for bob's refund.
            let target = "/exchange/v1/market/purchases/\(recent.purchase)/refund"
            let carol = IdentityKey()
            _ = try fixture.catalog.savePeer(Peer(did: carol.did, name: "carol", url: "http://127.0.0.1:9", addedAt: Date()))
            let foreign = try await client.execute(
                uri: target, method: .post, headers: try signed(.post, target, body: Array("{}".utf8), by: carol),
                body: ByteBuffer(bytes: Array("{}".utf8)))
            #expect(foreign.status == .notFound)
        }
    }
}
