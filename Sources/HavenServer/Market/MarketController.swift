import Foundation
import HavenExchange
import HavenIdentity
import HavenMarket
import HavenStore
import Hummingbird

/// `/haven/market`: the owner's side of the storage market.
///
/// - `POST /haven/market/offers`: publish a storage offer, signed by the owner's key, kept and
///   appended to the ledger (by id). Terms not given come from the market's derived parameters.
/// - `GET /haven/market/offers`: the offers published here; `?peers=true`: the open offers of
///   every known peer instead, fetched over the exchange, each signature checked and its
///   provider required to be that peer.
/// - `DELETE /haven/market/offers/{id}`: withdraw an offer.
///
/// Known peers read the open offers at `GET /exchange/v1/market/offers`.
struct MarketController {
    /// The longest an offer may stand.
    static let maximumLifetime: UInt64 = 365 * 86_400

    let environment: ServerEnvironment

    var catalog: Catalog { environment.catalog }

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post("offers", use: publish)
        group.get("offers", use: list)
        group.delete("offers/:id", use: withdraw)
    }

    @Sendable func publish(_ request: Request, context: HavenRequestContext) async throws -> EditedResponse<OfferView> {
        _ = try context.requireOwner()
        let body = try await request.decode(as: CreateOfferRequest.self, context: context)
        var terms = MarketParameters.default.offerTerms(
            capacityBytes: body.capacityBytes, pricePerGiBPerPeriod: body.pricePerGiBPerPeriod)
        if let value = body.periodSeconds { terms.periodSeconds = value }
        if let value = body.minimumTermPeriods { terms.minimumTermPeriods = value }
        if let value = body.collateralPerMille { terms.collateralPerMille = value }
        if let value = body.challengesPerPeriod { terms.challengesPerPeriod = value }
        if let value = body.holdBackPerMille { terms.holdBackPerMille = value }
        let lifetime = body.expiresInSeconds ?? 30 * 86_400
        guard (60...Self.maximumLifetime).contains(lifetime) else {
            throw APIError(.badRequest, code: "invalid_offer", message: "an offer stands from 60 seconds to 365 days")
        }
        do {
            try terms.validate()
        } catch {
            throw APIError(.badRequest, code: "invalid_offer", message: "the offer is refused: \(error)")
        }
        let offer = try StorageOffer(terms: terms, expires: Date() + Double(lifetime), by: environment.ownerKey)
        try catalog.saveMarketOffer(offer, at: Date())
        let index = try await environment.ledgerAppender.append(Array(offer.id.description.utf8))
        try catalog.setMarketOfferLogIndex(index, of: offer.id)
        environment.witnesses.checkpointChanged()
        context.logger.info("storage offer published", metadata: ["offer.id": "\(offer.id)"])
        return EditedResponse(status: .created, response: OfferView(offer, logIndex: index))
    }

    @Sendable func list(_ request: Request, context: HavenRequestContext) async throws -> OfferListing {
        _ = try context.requireOwner()
        guard request.uri.queryParameters["peers"].map({ $0 == "true" || $0 == "1" }) == true else {
            return OfferListing(
                offers: try catalog.marketOffers().map { OfferView($0.offer, logIndex: $0.logIndex) }, unreachable: [:])
        }
        var offers: [OfferView] = []
        var unreachable: [String: String] = [:]
        let now = Date()
        for peer in try catalog.peers() where !peer.blocked {
            do {
                let answer = try await environment.exchange.clients.client(for: peer)
                    .send(.GET, "/exchange/v1/market/offers", timeout: .seconds(15))
                for document in try answer.decode(PeerOffers.self).offers {
                    // Each offer is checked on its own: a bad one is left out, not trusted.
                    guard let offer = try? StorageOffer(parsing: Array(document.utf8)), offer.provider == peer.did,
                        !offer.isExpired(at: now)
                    else { continue }
                    offers.append(OfferView(offer, peer: peer.name))
                }
            } catch {
                unreachable[peer.name] = "\(error)"
            }
        }
        return OfferListing(offers: offers.sorted { $0.pricePerGiBPerPeriod < $1.pricePerGiBPerPeriod }, unreachable: unreachable)
    }

    @Sendable func withdraw(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let id = try context.parameters.require("id")
        guard try catalog.withdrawMarketOffer(id: id, at: Date()) else {
            throw APIError(.notFound, code: "not_found", message: "no open offer '\(id.prefix(100))' is published here")
        }
        return Response(status: .noContent)
    }
}
