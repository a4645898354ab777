import Foundation
import HavenMarket
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// Storage offers on one server: published signed, in the ledger, with the market's derived
/// terms by default; refused when their terms are impossible; withdrawn.
@Suite struct MarketRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    func json(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONEncoder().encode(value))
    }

    @Test func anOfferIsSignedLoggedAndListedUntilWithdrawn() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let created = try await client.execute(
                uri: "/haven/market/offers", method: .post, headers: owner,
                body: try json(CreateOfferRequest(capacityBytes: 10 << 30, pricePerGiBPerPeriod: 1000)))
            #expect(created.status == .created)
            let view = try created.body.json(OfferView.self)
            let defaults = MarketParameters.default
            #expect(view.challengesPerPeriod == defaults.challengesPerPeriod)
            #expect(view.collateralPerMille == defaults.collateralPerMille)
            #expect(view.provider == fixture.ownerKey.did.description)
            // The document verifies on its own, and its id is in the ledger.
            let offer = try StorageOffer(parsing: Array(view.document.utf8))
            #expect(offer.id.description == view.id)
            let entry = try #require(try await fixture.environment.ledger.lastEntry(withPrefix: Array(view.id.utf8)))
            #expect(entry.index == view.logIndex)

            let listed = try await client.execute(uri: "/haven/market/offers", method: .get, headers: owner)
            #expect(try listed.body.json(OfferListing.self).offers.map(\.id) == [view.id])

            let withdrawn = try await client.execute(uri: "/haven/market/offers/\(view.id)", method: .delete, headers: owner)
            #expect(withdrawn.status == .noContent)
            let after = try await client.execute(uri: "/haven/market/offers", method: .get, headers: owner)
            #expect(try after.body.json(OfferListing.self).offers.isEmpty)
            let again = try await client.execute(uri: "/haven/market/offers/\(view.id)", method: .delete, headers: owner)
            #expect(again.status == .notFound)
        }
    }

    @Test func impossibleTermsAreRefusedAndNothingIsPublished() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        let app = try fixture.makeAppToken(name: "shop")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            for bad in [
                CreateOfferRequest(capacityBytes: 1 << 30, pricePerGiBPerPeriod: -1),
                CreateOfferRequest(capacityBytes: 1 << 30, pricePerGiBPerPeriod: 10, holdBackPerMille: 1001),
                CreateOfferRequest(capacityBytes: 1 << 30, pricePerGiBPerPeriod: 10, expiresInSeconds: 10),
            ] {
                let refused = try await client.execute(uri: "/haven/market/offers", method: .post, headers: owner, body: try json(bad))
                #expect(refused.status == .badRequest)
                #expect(try ErrorBody(refused.body).error.code == "invalid_offer")
            }
            #expect(try fixture.catalog.marketOffers().isEmpty)
            #expect(await fixture.environment.ledger.size == 0)
            // Only the owner offers the server's disk.
            let forbidden = try await client.execute(
                uri: "/haven/market/offers", method: .post, headers: .bearer(app),
                body: try json(CreateOfferRequest(capacityBytes: 1 << 30, pricePerGiBPerPeriod: 10)))
            #expect(forbidden.status == .forbidden)
        }
    }
}
