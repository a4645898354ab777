import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenMarket
import HavenStore
import Hummingbird
import NIOCore

/// `/exchange/v1/market/`: the storage market between servers, each request signed by the
/// asking server and allowed only for known, unblocked peers.
///
/// To a provider:
/// - `POST market/contracts`: take a contract on an open offer (``StorageMarket/accept(_:from:)``).
/// - `POST market/contracts/{id}/challenge`: the contract's consumer asks for a leaf.
/// - `POST market/contracts/{id}/revisions`: a settlement, the end, or a breach with evidence.
/// - `GET market/contracts/{id}/shard`: the consumer takes its shard back (restore, repair).
///
/// To a seller of data licences (``DataSales``):
/// - `GET market/listings`: the open listings, each with its policy.
/// - `POST market/purchases`: a buyer's signed order; charged once per purchase id, answered
///   with the licence record and capability every time it is presented.
/// - `POST market/purchases/{id}/delivered`: the buyer received and checked the content.
/// - `POST market/purchases/{id}/refund`: the buyer was not delivered to by the deadline.
///
/// To a consumer:
/// - `GET market/shards/{id}`: the provider of a contract being opened pulls its shard, with
///   the capability the consumer issued for the contract (`market/contracts/{id}`, read).
struct MarketExchangeController {
    let environment: ServerEnvironment

    var market: StorageMarket { StorageMarket(environment: environment) }

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post("market/contracts", use: propose)
        group.post("market/contracts/:id/challenge", use: challenge)
        group.post("market/contracts/:id/revisions", use: revise)
        group.get("market/contracts/:id/shard", use: returnShard)
        group.get("market/shards/:id", use: pullShard)
        group.get("market/listings", use: listings)
        group.post("market/purchases", use: purchase)
        group.post("market/purchases/:id/delivered", use: delivered)
        group.post("market/purchases/:id/refund", use: refund)
    }

    var sales: DataSales { DataSales(environment: environment) }

    @Sendable func listings(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try peer(context, action: "listings")
        return try DataController.json(try sales.openListings(), status: .ok, context: context)
    }

    @Sendable func purchase(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, buyer) = try peer(context, action: "sale")
        let message = try await body(request, as: PurchaseMessage.self, limit: 8 << 10, shape: "{\"order\": \"signed purchase order\"}")
        do {
            let order: PurchaseOrder
            do {
                order = try PurchaseOrder(parsing: Array(message.order.utf8))
            } catch {
                throw APIError(.badRequest, code: "invalid_order", message: "the order is refused: \(error); nothing was charged")
            }
            let receipt = try await sales.sell(order, from: buyer)
            return try DataController.json(receipt, status: receipt.charged ? .created : .ok, context: context)
        } catch let error as APIError {
            market.audit(caller.principal.description, "sale", "market", allowed: false, error.message)
            throw error
        }
    }

    @Sendable func delivered(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (_, buyer) = try peer(context, action: "sale.delivered")
        let sale = try sales.sale(try context.parameters.require("id"), for: buyer)
        let state = try await sales.confirmDelivery(sale)
        return try DataController.json(["state": state.rawValue], status: .ok, context: context)
    }

    @Sendable func refund(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, buyer) = try peer(context, action: "sale.refund")
        let sale = try sales.sale(try context.parameters.require("id"), for: buyer)
        do {
            let state = try await sales.refund(sale)
            return try DataController.json(["state": state.rawValue], status: .ok, context: context)
        } catch let error as APIError {
            market.audit(caller.principal.description, "sale.refund", sale.purchase.value, allowed: false, error.message)
            throw error
        }
    }

    /// The signing peer, which must be known here and not blocked.
    private func peer(_ context: HavenRequestContext, action: String) throws -> (Authentication, DID) {
        let caller = try context.requireAuthentication()
        guard case .peer(let did) = caller.principal, let peer = try environment.catalog.peer(did: did), !peer.blocked else {
            let message = "the market is open to known peers only; ask the owner to add your server with 'haven peer add'"
            market.audit(caller.principal.description, action, "market", allowed: false, message)
            throw APIError(.forbidden, code: "unknown_peer", message: message)
        }
        return (caller, did)
    }

    private func body<T: Decodable>(_ request: Request, as type: T.Type, limit: Int, shape: String) async throws -> T {
        let bytes = try await request.body.collect(upTo: limit)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: bytes)
        } catch {
            throw APIError(.badRequest, code: "invalid_request", message: "the body must be \(shape)")
        }
    }

    @Sendable func propose(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, consumer) = try peer(context, action: "contract.open")
        let proposal = try await body(
            request, as: ContractProposal.self, limit: 64 << 10, shape: "{\"offer\": …, \"revision\": …, \"capability\": …}")
        do {
            let revision = try await market.accept(proposal, from: consumer)
            market.audit(
                caller.principal.description, "contract.open", revision.contract.description, allowed: true,
                "stores \(revision.shard.byteCount) bytes for \(revision.termPeriods) periods")
            return try DataController.json(
                RevisionMessage(revision: String(decoding: revision.encoded, as: UTF8.self), evidence: nil), status: .created,
                context: context)
        } catch let error as APIError {
            market.audit(caller.principal.description, "contract.open", "market", allowed: false, error.message)
            throw error
        }
    }

    @Sendable func challenge(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (_, consumer) = try peer(context, action: "challenge")
        let stored = try market.providedContract(try context.parameters.require("id"), for: consumer)
        let message = try await body(request, as: ChallengeMessage.self, limit: 4096, shape: "a challenge")
        return try DataController.json(try await market.answer(message, contract: stored), status: .ok, context: context)
    }

    @Sendable func revise(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, consumer) = try peer(context, action: "contract.revise")
        let stored = try market.providedContract(try context.parameters.require("id"), for: consumer)
        let message = try await body(
            request, as: RevisionMessage.self, limit: 64 << 10, shape: "{\"revision\": …, \"evidence\": … (a breach only)}")
        do {
            let revision = try await market.countersign(message, contract: stored)
            return try DataController.json(
                RevisionMessage(revision: String(decoding: revision.encoded, as: UTF8.self), evidence: nil), status: .ok,
                context: context)
        } catch let error as APIError {
            market.audit(caller.principal.description, "contract.revise", stored.id.description, allowed: false, error.message)
            throw error
        }
    }

    @Sendable func returnShard(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, consumer) = try peer(context, action: "shard.return")
        let stored = try market.providedContract(try context.parameters.require("id"), for: consumer)
        guard stored.contract.status == .active else {
            throw APIError(.gone, code: "contract_closed", message: "contract \(stored.id) is \(stored.contract.status.rawValue); its shard is not kept")
        }
        let bytes = try await environment.market.shards.read(stored.id)
        market.audit(caller.principal.description, "shard.return", stored.id.description, allowed: true, "\(bytes.count) bytes")
        return Self.octets(bytes)
    }

    @Sendable func pullShard(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, provider) = try peer(context, action: "shard.pull")
        let id = try context.parameters.require("id")
        guard let capability = caller.capability,
            capability.capabilities.contains(Capability(resource: "market/contracts/\(id)", right: .read)),
            let contract = try? ContractID(parsing: id),
            let bytes = await environment.market.outgoing.shard(contract, for: provider)
        else {
            let message = "pulling a shard needs the capability issued for that contract, while the contract is being opened"
            market.audit(caller.principal.description, "shard.pull", String(id.prefix(100)), allowed: false, message)
            throw APIError(.forbidden, code: "access_denied", message: message)
        }
        market.audit(caller.principal.description, "shard.pull", id, allowed: true, "\(bytes.count) bytes under capability \(capability.id)")
        return Self.octets(bytes)
    }

    static func octets(_ bytes: [UInt8]) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/octet-stream"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
