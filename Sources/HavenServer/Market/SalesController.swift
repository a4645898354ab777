import Foundation
import HavenAccess
import HavenIdentity
import HavenMarket
import HavenStore
import Hummingbird

/// `/haven/market`: the owner's side of data sales.
///
/// - `POST /haven/market/listings`: list a file for sale (``DataSales/list(_:)``);
///   `GET /haven/market/listings`: the listings published here, or with `?peers=true` every
///   known peer's open listings, each signature checked; `DELETE /haven/market/listings/{id}`:
///   withdraw one (sales already made stand).
/// - `POST /haven/market/purchases`: buy a peer's listing; answers the purchase as it stands
///   (delivered, or pending with why); `GET /haven/market/purchases[/{id}]`.
/// - `POST /haven/market/purchases/{id}/ask`: ask the seller's agent, for a compute-to-data
///   purchase.
/// - `GET /haven/market/sales`: the sales made here, with what they earned and refunded.
struct SalesController {
    let environment: ServerEnvironment

    var sales: DataSales { DataSales(environment: environment) }
    var catalog: Catalog { environment.catalog }

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post("listings", use: list)
        group.get("listings", use: listings)
        group.delete("listings/:id", use: withdraw)
        group.post("purchases", use: buy)
        group.get("purchases", use: purchases)
        group.get("purchases/:id", use: purchase)
        group.post("purchases/:id/ask", use: ask)
        group.get("sales", use: saleList)
    }

    private func decode<T: Decodable>(_ request: Request, as type: T.Type, shape: String) async throws -> T {
        let bytes = try await request.body.collect(upTo: 128 << 10)
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch {
            throw APIError(.badRequest, code: "invalid_request", message: "the body must be \(shape): \(error)")
        }
    }

    private func peerNames() throws -> [DID: String] {
        var names: [DID: String] = [:]
        for peer in try catalog.peers() { names[peer.did] = peer.name }
        return names
    }

    @Sendable func list(_ request: Request, context: HavenRequestContext) async throws -> EditedResponse<ListingView> {
        _ = try context.requireOwner()
        let body = try await decode(
            request, as: CreateListingRequest.self, shape: "{\"path\", \"price\", \"policy\", \"use\"?, \"delivery_seconds\"?, …}")
        let published = try await sales.list(body)
        context.logger.info("data listing published", metadata: ["listing.id": "\(published.listing.id)"])
        return EditedResponse(status: .created, response: ListingView(published.listing, policy: published.policy, published: published))
    }

    @Sendable func listings(_ request: Request, context: HavenRequestContext) async throws -> ListingListing {
        _ = try context.requireOwner()
        guard try QueryFlag.value("peers", in: request) else {
            let all = try QueryFlag.value("all", in: request)
            return ListingListing(
                listings: try catalog.listings(includeWithdrawn: all).map { ListingView($0.listing, policy: $0.policy, published: $0) },
                unreachable: [:])
        }
        var found: [ListingView] = []
        var unreachable: [String: String] = [:]
        let now = Date()
        for peer in try catalog.peers() where !peer.blocked {
            do {
                let answer = try await environment.exchange.clients.client(for: peer)
                    .send(.GET, "/exchange/v1/market/listings", timeout: .seconds(15)).decode(PeerListings.self)
                for entry in answer.listings {
                    // Each listing is checked on its own: signature, seller, expiry, policy.
                    guard let listing = try? DataListing(parsing: Array(entry.listing.utf8)), listing.seller == peer.did,
                        !listing.isExpired(at: now),
                        let policy = try? LicencePolicy(parsing: Array(entry.policy.utf8)), policy.contentID == listing.terms.policy
                    else { continue }
                    found.append(ListingView(listing, policy: policy.canonicalJSON, peer: peer.name))
                }
            } catch {
                unreachable[peer.name] = "\(error)"
            }
        }
        return ListingListing(listings: found.sorted { ($0.peer ?? "", $0.price) < ($1.peer ?? "", $1.price) }, unreachable: unreachable)
    }

    @Sendable func withdraw(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let id = try context.parameters.require("id")
        guard try catalog.withdrawListing(id: id, at: Date()) else {
            throw APIError(.notFound, code: "not_found", message: "no open listing '\(id.prefix(100))' is published here")
        }
        return Response(status: .noContent)
    }

    @Sendable func buy(_ request: Request, context: HavenRequestContext) async throws -> EditedResponse<PurchaseView> {
        _ = try context.requireOwner()
        let body = try await decode(request, as: BuyRequest.self, shape: "{\"peer\", \"listing\", \"to\"?, \"purpose\"?}")
        let record = try await sales.buy(body)
        return EditedResponse(status: .created, response: PurchaseView(record, peer: body.peer))
    }

    @Sendable func purchases(_ request: Request, context: HavenRequestContext) async throws -> PurchaseListing {
        _ = try context.requireOwner()
        let names = try peerNames()
        let records = try catalog.purchases()
        return PurchaseListing(
            purchases: records.map { PurchaseView($0, peer: names[$0.listing.seller]) },
            spent: records.filter { $0.state != .refunded && $0.licence != nil }.reduce(0) { $0 + $1.order.price })
    }

    @Sendable func purchase(_ request: Request, context: HavenRequestContext) async throws -> PurchaseView {
        _ = try context.requireOwner()
        let record = try record(context)
        return PurchaseView(record, peer: try peerNames()[record.listing.seller])
    }

    @Sendable func ask(_ request: Request, context: HavenRequestContext) async throws -> AskAnswer {
        _ = try context.requireOwner()
        let record = try record(context)
        let body = try await decode(request, as: AskRequest.self, shape: "{\"question\": \"…\"}")
        let question = body.question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty, question.utf8.count <= 16 << 10 else {
            throw APIError(.badRequest, code: "invalid_request", message: "the question is 1 byte to 16 KiB")
        }
        return try await sales.ask(record.purchase, question: question)
    }

    @Sendable func saleList(_ request: Request, context: HavenRequestContext) async throws -> SaleListing {
        _ = try context.requireOwner()
        let names = try peerNames()
        var contents: [ContentID: String] = [:]
        for published in try catalog.listings(includeWithdrawn: true) {
            contents[published.listing.id] = published.listing.terms.content.description
        }
        let records = try catalog.sales()
        return SaleListing(
            sales: records.map { SaleView($0, peer: names[$0.order.buyer], content: contents[$0.listing] ?? "") },
            earned: records.filter { $0.state != .refunded }.reduce(0) { $0 + $1.order.price },
            refunded: records.filter { $0.state == .refunded }.reduce(0) { $0 + $1.order.price })
    }

    private func record(_ context: HavenRequestContext) throws -> PurchaseRecord {
        let id = try context.parameters.require("id")
        guard let purchase = PurchaseID(id), let record = try catalog.purchase(purchase) else {
            throw APIError(.notFound, code: "not_found", message: "no purchase '\(id.prefix(40))' is recorded here")
        }
        return record
    }
}
