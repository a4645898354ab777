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
/// - `GET /haven/market/contracts`: the storage contracts this server is party to, either side.
/// - `GET /haven/market/challenges`: the challenges this server ran as a consumer.
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
        group.get("contracts", use: contracts)
        group.get("challenges", use: challenges)
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
        guard try QueryFlag.value("peers", in: request) else {
            return OfferListing(
                offers: try catalog.marketOffers().map { OfferView($0.offer, logIndex: $0.logIndex) }, unreachable: [:])
        }
        let (found, unreachable) = try await StorageMarket(environment: environment).peerOffers()
        let offers = found.map { OfferView($0.offer, peer: $0.peer.name) }
        return OfferListing(offers: offers.sorted { $0.pricePerGiBPerPeriod < $1.pricePerGiBPerPeriod }, unreachable: unreachable)
    }

    /// `GET /haven/market/contracts[?role=consumer|provider]`: every storage contract, either side.
    @Sendable func contracts(_ request: Request, context: HavenRequestContext) async throws -> ContractListing {
        _ = try context.requireOwner()
        let role = try request.uri.queryParameters["role"].map { text in
            guard let role = ContractParty(rawValue: String(text)) else {
                throw APIError(.badRequest, code: "invalid_request", message: "role is consumer or provider")
            }
            return role
        }
        var peers: [DID: String] = [:]
        for peer in try catalog.peers() { peers[peer.did] = peer.name }
        return ContractListing(
            contracts: try catalog.storedContracts(role: role).map { stored in
                let current = stored.contract.current
                return ContractView(
                    id: stored.id.description, role: stored.role.rawValue, counterparty: stored.peer.description,
                    peer: peers[stored.peer], status: current.status.rawValue, revision: current.number, period: current.period,
                    termPeriods: current.termPeriods, periodSeconds: stored.contract.offer.terms.periodSeconds,
                    periodFee: (try? stored.contract.periodFee) ?? 0, storedBytes: current.shard.byteCount,
                    openedAt: stored.openedAt, balances: BalancesView(current.balances), backup: stored.backup,
                    shardIndex: stored.shardIndex)
            })
    }

    /// `GET /haven/market/challenges[?contract=ID][&limit=N]`: the challenges this server ran,
    /// newest first.
    @Sendable func challenges(_ request: Request, context: HavenRequestContext) async throws -> ChallengeListing {
        _ = try context.requireOwner()
        let contract = try request.uri.queryParameters["contract"].map { text in
            do {
                return try ContractID(parsing: String(text))
            } catch {
                throw APIError(.badRequest, code: "invalid_request", message: "contract must be a contract id")
            }
        }
        let limit = try request.uri.queryParameters["limit"].map { text in
            guard let limit = Int(String(text)), (1...100_000).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_request", message: "limit takes a whole number from 1 to 100000")
            }
            return limit
        } ?? 1000
        return ChallengeListing(
            challenges: try catalog.challenges(contract: contract, limit: limit).map { record in
                ChallengeView(
                    contract: record.contract.description, period: record.period, sequence: record.sequence,
                    leafIndex: record.leafIndex, outcome: record.outcome.rawValue, at: record.at,
                    evidence: record.evidence?.id.description)
            })
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
