import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenLedger
import HavenMarket
import HavenStore
import Hummingbird
import NIOCore

/// Data licences for sale between servers, both sides, over the pure listing and order
/// documents in `HavenMarket` and the ledger's licences:
///
/// - the seller lists a file it owns (minting it first if needed) at a price under an ODRL
///   policy (``list(_:)``); a buyer's signed order is charged once per purchase id and answered
///   with a licence record in the seller's ledger and a capability bound to the buyer's key
///   that carries the policy (``sell(_:from:)``) — the same answer every time the order is
///   presented;
/// - the buyer orders (``buy(_:)``), checks the licence and capability it gets, pulls the file
///   and checks it against the listing's content id before keeping it (``deliver(_:)``); if
///   that has not happened by the deadline, the purchase is refunded on both sides
///   (``settleOverdue()``), unless the seller shows it served the content.
///
/// Compute-to-data listings sell only `ai` use: the buyer's server asks the seller's agent
/// (``ask(_:question:)``) under the capability, and only the answer comes back.
struct DataSales: Sendable {
    static let defaultDeliverySeconds: UInt64 = 3600
    static let defaultLifetime: UInt64 = 30 * 86_400
    /// The longest a delivery pull may take in one attempt.
    static let deliveryTimeout: TimeAmount = .seconds(600)

    let environment: ServerEnvironment

    var catalog: Catalog { environment.catalog }
    var owner: IdentityKey { environment.ownerKey }
    var market: StorageMarket { StorageMarket(environment: environment) }
    var ledger: LedgerService { LedgerService(environment: environment) }

    // MARK: Seller

    /// Publishes a listing of the file at `request.path`.
    func list(_ request: CreateListingRequest) async throws -> PublishedListing {
        let path = try DataPath(parsing: request.path)
        guard !path.isDirectory else {
            throw APIError(.badRequest, code: "invalid_listing", message: "a listing sells one file; \(path) is a directory")
        }
        guard let version = try environment.store.version(of: path), let content = version.id else {
            throw APIError(.notFound, code: "not_found", message: "\(path) holds no file to list")
        }
        let policy = try LicencePolicy(document: request.policy)
        if let other = Set((policy.permissions + policy.prohibitions).compactMap(\.target?.id)).first(where: { $0 != content.description }) {
            throw APIError(
                .badRequest, code: "invalid_policy",
                message: "the policy's target \(other) is not the listed content \(content); leave target out or name \(content)")
        }
        if policy.permissions.contains(where: { $0.assignee != nil }) {
            throw APIError(
                .badRequest, code: "invalid_policy",
                message: "a listing's policy names no assignee: each buyer's licence is issued to the buyer")
        }
        let use = request.use ?? .copy
        let terms = DataListing.Terms(
            content: content, title: String((request.title ?? path.name).prefix(DataListing.maximumTitleLength)),
            price: request.price, use: use, policy: policy.contentID,
            deliverySeconds: request.deliverySeconds ?? Self.defaultDeliverySeconds,
            agent: use == .ai ? (request.agent ?? "assistant") : request.agent)
        do {
            try terms.validate()
        } catch {
            throw APIError(.badRequest, code: "invalid_listing", message: "the listing is refused: \(error)")
        }
        if let agent = terms.agent {
            do {
                _ = try environment.agents.agent(named: agent)
            } catch {
                throw APIError(.badRequest, code: "invalid_listing", message: "no agent '\(agent)' runs here to answer buyers: \(error)")
            }
        }
        let lifetime = request.expiresInSeconds ?? Self.defaultLifetime
        guard (60...MarketController.maximumLifetime).contains(lifetime) else {
            throw APIError(.badRequest, code: "invalid_listing", message: "a listing stands from 60 seconds to 365 days")
        }
        // Selling a licence asserts ownership: the content is minted here first if it is not yet.
        _ = try await ledger.mint(path, title: terms.title, licence: policy)
        _ = try ledger.requireOwnership(of: content)
        try catalog.saveLedgerPolicy(policy)
        let listing = try DataListing(terms: terms, expires: Date() + Double(lifetime), by: owner)
        let now = Date()
        try catalog.saveListing(listing, path: path.string, policy: policy.canonicalJSON, at: now)
        let index = try await market.log(.listing(listing: listing.id))
        try catalog.setListingLogIndex(index, of: listing.id)
        market.audit(
            owner.did.description, "listing", path.string, allowed: true,
            "listed \(content) for \(terms.price) micro-credits (\(use.rawValue))")
        return PublishedListing(
            listing: listing, path: path.string, policy: policy.canonicalJSON, logIndex: index, createdAt: now, withdrawnAt: nil)
    }

    /// The open listings, as peers see them.
    func openListings() throws -> PeerListings {
        let now = Date()
        return PeerListings(
            listings: try catalog.listings().filter { !$0.listing.isExpired(at: now) }.map {
                PeerListings.Entry(
                    listing: String(decoding: $0.listing.encoded, as: UTF8.self), policy: String(decoding: $0.policy, as: UTF8.self))
            })
    }

    /// Answers a buyer's order: charged and licensed the first time, the same receipt after.
    func sell(_ order: PurchaseOrder, from buyer: DID) async throws -> SaleReceipt {
        guard order.buyer == buyer else {
            throw APIError(.forbidden, code: "not_buyer", message: "the order is signed by \(order.buyer), not by the server asking")
        }
        guard order.seller == owner.did else {
            throw APIError(.badRequest, code: "invalid_order", message: "the order is addressed to \(order.seller), not to this server")
        }
        let sales = self
        let bytes = try await environment.market.sales.once("sale:" + order.purchase.value) {
            try StorageMarket.encode(try await sales.sellOnce(order))
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(SaleReceipt.self, from: Data(bytes))
    }

    private func sellOnce(_ order: PurchaseOrder) async throws -> SaleReceipt {
        if let existing = try catalog.sale(purchase: order.purchase) {
            guard existing.order == order else {
                throw APIError(
                    .conflict, code: "purchase_id_used",
                    message: "purchase \(order.purchase) was already made with a different order; choose a new purchase id")
            }
            return try receipt(for: existing, charged: false)
        }
        guard let published = try catalog.listing(id: order.listing) else {
            throw APIError(.notFound, code: "not_found", message: "no listing \(order.listing) is published here")
        }
        guard published.withdrawnAt == nil else {
            throw APIError(.gone, code: "listing_withdrawn", message: "listing \(order.listing) was withdrawn; nothing was charged")
        }
        do {
            try order.check(against: published.listing, now: Date())
        } catch {
            throw APIError(.badRequest, code: "invalid_order", message: "\(error); nothing was charged")
        }
        let listing = published.listing
        guard let current = try environment.store.version(of: DataPath(parsing: published.path)), current.id == listing.terms.content
        else {
            throw APIError(
                .conflict, code: "content_changed",
                message: "\(published.path) no longer holds the listed content \(listing.terms.content); nothing was charged")
        }
        let policy = try LicencePolicy(parsing: published.policy)
        let issued = try await ledger.licence(listing.terms.content, to: order.buyer, policy: policy, right: listing.terms.use.right)
        let now = Date()
        // Compute-to-data delivers nothing: the licence to ask is the delivery.
        let sale = SaleRecord(
            order: order, listing: listing.id, licence: issued.record.id, share: issued.share.id, token: issued.token,
            state: listing.terms.use == .ai ? .delivered : .pending, createdAt: now, deadline: order.deadline(for: listing),
            settledAt: listing.terms.use == .ai ? now : nil)
        let recorded = try catalog.recordSale(sale)
        if recorded.isNew {
            try await market.log(.sale(purchase: order.purchase, order: order.id, licence: issued.record.id))
            if listing.terms.use == .ai {
                try await market.log(.delivery(purchase: order.purchase, content: listing.terms.content))
            }
            market.audit(
                order.buyer.description, "sale", published.path, allowed: true,
                "purchase \(order.purchase): \(order.price) micro-credits charged once; licence \(issued.record.id)")
        }
        return try receipt(for: recorded.sale, charged: recorded.isNew)
    }

    private func receipt(for sale: SaleRecord, charged: Bool) throws -> SaleReceipt {
        guard let kept = try catalog.ledgerRecord(id: sale.licence) else {
            throw APIError(.internalServerError, code: "licence_missing", message: "the licence record of purchase \(sale.purchase) is not kept")
        }
        let path = try catalog.listing(id: sale.listing)?.path ?? ""
        return SaleReceipt(
            purchase: sale.purchase.value, licence: String(decoding: kept.record.encoded, as: UTF8.self), token: sale.token,
            path: path, state: sale.state, deadline: sale.deadline, charged: charged)
    }

    /// The sale `id` made to `buyer`, or a 404 that says nothing of other buyers' sales.
    func sale(_ id: String, for buyer: DID) throws -> SaleRecord {
        guard let purchase = PurchaseID(id), let sale = try catalog.sale(purchase: purchase), sale.order.buyer == buyer else {
            throw APIError(.notFound, code: "not_found", message: "no purchase '\(id.prefix(40))' of yours is recorded here")
        }
        return sale
    }

    /// The buyer confirms it received and checked the content.
    func confirmDelivery(_ sale: SaleRecord) async throws -> SaleState {
        if try catalog.settleSale(sale.purchase, as: .delivered, at: Date()) {
            try await market.log(.delivery(purchase: sale.purchase, content: try listedContent(sale)))
            market.audit(sale.order.buyer.description, "sale.delivered", sale.purchase.value, allowed: true, "the buyer confirmed delivery")
            return .delivered
        }
        return try catalog.sale(purchase: sale.purchase)?.state ?? sale.state
    }

    /// The buyer asks for its money back: granted once the deadline passed, if the content
    /// was never served under the sale's capability.
    func refund(_ sale: SaleRecord, now: Date = Date()) async throws -> SaleState {
        switch sale.state {
        case .refunded: return .refunded
        case .delivered:
            throw APIError(.conflict, code: "delivered", message: "purchase \(sale.purchase) was delivered; it is not refunded")
        case .pending: break
        }
        guard now >= sale.deadline else {
            throw APIError(
                .conflict, code: "not_due",
                message: "purchase \(sale.purchase) may be delivered until \(marketTime(sale.deadline)); ask again after")
        }
        if let served = sale.servedAt {
            _ = try catalog.settleSale(sale.purchase, as: .delivered, at: now)
            throw APIError(
                .conflict, code: "served",
                message: "the content of purchase \(sale.purchase) was served to your server under its licence at \(marketTime(served)); it is not refunded")
        }
        return try await refundHere(sale, at: now)
    }

    /// Refunds a sale on this side: the state, a refund entry, and the licence revoked.
    private func refundHere(_ sale: SaleRecord, at now: Date) async throws -> SaleState {
        guard try catalog.settleSale(sale.purchase, as: .refunded, at: now) else {
            return try catalog.sale(purchase: sale.purchase)?.state ?? sale.state
        }
        try await market.log(.refund(purchase: sale.purchase, order: sale.order.id))
        _ = try? await ledger.revoke(licence: sale.licence)
        market.audit(
            sale.order.buyer.description, "sale.refund", sale.purchase.value, allowed: true,
            "not delivered by \(marketTime(sale.deadline)): \(sale.order.price) micro-credits returned, licence revoked")
        return .refunded
    }

    private func listedContent(_ sale: SaleRecord) throws -> ContentID {
        guard let listing = try catalog.listing(id: sale.listing) else { throw APIError(.notFound, code: "not_found", message: "listing gone") }
        return listing.listing.terms.content
    }

    // MARK: Buyer

    /// Buys `request.listing` from the peer named `request.peer`: the listing and its policy
    /// checked, the order signed and recorded, paid, then delivered (for a copy).
    func buy(_ request: BuyRequest) async throws -> PurchaseRecord {
        guard let peer = try catalog.peers().first(where: { $0.name == request.peer }), !peer.blocked else {
            throw APIError(.notFound, code: "unknown_peer", message: "no peer is called '\(request.peer.prefix(100))'; see 'haven peer list'")
        }
        let entries = try await environment.exchange.clients.client(for: peer)
            .send(.GET, "/exchange/v1/market/listings", timeout: .seconds(30)).decode(PeerListings.self).listings
        var found: (DataListing, [UInt8])?
        for entry in entries {
            guard let listing = try? DataListing(parsing: Array(entry.listing.utf8)), listing.id.description == request.listing else {
                continue
            }
            found = (listing, Array(entry.policy.utf8))
        }
        guard let (listing, policyBytes) = found else {
            throw APIError(.notFound, code: "not_found", message: "\(peer.name) has no open listing \(request.listing.prefix(100))")
        }
        guard listing.seller == peer.did else {
            throw APIError(.badGateway, code: "invalid_listing", message: "the listing is signed by \(listing.seller), not by \(peer.name)")
        }
        let policy: LicencePolicy
        do {
            policy = try LicencePolicy(parsing: policyBytes)
        } catch {
            throw APIError(.badGateway, code: "invalid_listing", message: "the listing's policy does not parse: \(error)")
        }
        guard policy.contentID == listing.terms.policy else {
            throw APIError(.badGateway, code: "invalid_listing", message: "the policy sent is not the one the listing names")
        }
        let purpose = try request.purpose.map { text in
            do {
                return try DPVPurpose(text).description
            } catch {
                throw APIError(.badRequest, code: "invalid_purpose", message: "'\(text.prefix(100))' is not a DPV purpose: \(error)")
            }
        }
        let destination: String
        switch listing.terms.use {
        case .ai:
            destination = ""
        case .copy:
            let path = try DataPath(parsing: request.to ?? "/purchases/\(peer.name)/\(Self.fileName(listing.terms.title))")
            destination = path.isDirectory ? path.string + Self.fileName(listing.terms.title) : path.string
            _ = try DataPath(parsing: destination)
        }
        let now = Date()
        let order = try PurchaseOrder(purchase: .random(), listing: listing, at: now, by: owner)
        try catalog.recordPurchase(
            PurchaseRecord(
                order: order, listing: listing, policy: policy.canonicalJSON, path: destination, purpose: purpose, state: .pending,
                licence: nil, token: nil, createdAt: now, deadline: order.deadline(for: listing), settledAt: nil, lastError: nil))
        market.audit(
            owner.did.description, "purchase", listing.id.description, allowed: true,
            "ordered \(listing.terms.title) from \(peer.name) for \(order.price) micro-credits as purchase \(order.purchase)")
        return try await advance(order.purchase)
    }

    /// Takes a pending purchase as far as it goes now: paid (the order presented, again if it
    /// was before), then delivered and checked. A failure is noted on the purchase and left
    /// for the next attempt; the purchase as it stands is returned.
    @discardableResult
    func advance(_ id: PurchaseID) async throws -> PurchaseRecord {
        let sales = self
        _ = try await environment.market.sales.once("purchase:" + id.value) {
            do {
                try await sales.advanceOnce(id)
                try sales.catalog.setPurchaseError(id, nil)
            } catch {
                try sales.catalog.setPurchaseError(id, Self.message(error))
            }
            return []
        }
        guard let record = try catalog.purchase(id) else {
            throw APIError(.notFound, code: "not_found", message: "no purchase \(id) is recorded here")
        }
        return record
    }

    private func advanceOnce(_ id: PurchaseID) async throws {
        guard var record = try catalog.purchase(id), record.state == .pending else { return }
        let peer = try catalog.peer(did: record.listing.seller)
        guard let peer, !peer.blocked else {
            throw APIError(.conflict, code: "unknown_peer", message: "the seller \(record.listing.seller) is no longer a known peer")
        }
        if record.token == nil {
            let receipt = try await environment.exchange.clients.client(for: peer).send(
                .POST, "/exchange/v1/market/purchases",
                body: try StorageMarket.encode(PurchaseMessage(order: String(decoding: record.order.encoded, as: UTF8.self))),
                timeout: .seconds(60)
            ).decode(SaleReceipt.self)
            let licence = try checkReceipt(receipt, for: record)
            try catalog.setPurchaseLicence(id, licence: licence.record.id, token: receipt.token)
            if try catalog.ledgerRecord(id: licence.record.id) == nil { try catalog.saveLedgerRecord(licence.record, at: Date()) }
            try await market.log(.purchase(purchase: id, order: record.order.id, licence: licence.record.id))
            try catalog.saveHeldCapability(licence.held)
            guard let updated = try catalog.purchase(id) else { return }
            record = updated
            if record.listing.terms.use == .ai {
                if try catalog.settlePurchase(id, as: .delivered, at: Date()) {
                    try await market.log(.delivery(purchase: id, content: record.listing.terms.content))
                }
                return
            }
            record = try catalog.purchase(id) ?? record
            try await deliver(record, from: peer, remotePath: receipt.path)
        } else {
            let held = try HeldCapability.verify(record.token ?? "", issuer: peer.did, holder: owner.did, at: Date())
            guard let resource = held.capabilities.first?.resource else { return }
            try await deliver(record, from: peer, remotePath: resource)
        }
    }

    /// Checks the seller's receipt: the licence record is the seller's, about the listed
    /// content, to this server's owner, under the listed policy; the capability is the
    /// seller's, bound to this server's key, with the listed use on one file.
    private func checkReceipt(_ receipt: SaleReceipt, for record: PurchaseRecord) throws -> (record: LedgerRecord, held: HeldCapability) {
        let licence: LedgerRecord
        do {
            licence = try LedgerRecord(parsing: Array(receipt.licence.utf8))
        } catch {
            throw APIError(.badGateway, code: "invalid_receipt", message: "the seller's licence record does not verify: \(error)")
        }
        let terms = record.listing.terms
        guard licence.issuer == record.listing.seller,
            licence.statement == .licence(content: terms.content, to: owner.did, policy: terms.policy)
        else {
            throw APIError(
                .badGateway, code: "invalid_receipt",
                message: "the seller's licence record does not license the listed content to this server under the listed policy")
        }
        let held = try HeldCapability.verify(receipt.token, issuer: record.listing.seller, holder: owner.did, at: Date())
        guard held.capabilities == [Capability(resource: receipt.path, right: terms.use.right)] else {
            throw APIError(.badGateway, code: "invalid_receipt", message: "the capability does not grant \(terms.use.right.rawValue) on \(receipt.path) alone")
        }
        return (licence, held)
    }

    /// Pulls the licensed file, after checking that the seller lists exactly the offered
    /// content there; then confirms delivery to the seller.
    private func deliver(_ record: PurchaseRecord, from peer: Peer, remotePath: String) async throws {
        guard let token = record.token else { return }
        let client = environment.exchange.clients.client(for: peer, capability: token).with(purpose: record.purpose)
        let remote = try DataPath(parsing: remotePath)
        let listing = try await client.send(.GET, "/exchange/v1/tree" + PeerClient.encodePath(remote.string), timeout: .seconds(30))
            .decode(TreeListing.self)
        guard let entry = listing.entries.first(where: { $0.path == remote.string }) else {
            throw APIError(.badGateway, code: "not_delivered", message: "the seller lists no file at \(remote)")
        }
        do {
            try record.listing.checkDelivery(entry.manifest)
        } catch {
            throw APIError(.badGateway, code: "content_mismatch", message: "\(error)")
        }
        let local = try DataPath(parsing: record.path)
        let puller = Puller(store: environment.store, onCommit: { [indexer = environment.indexer] version in
            await indexer.enqueue(version.path)
        })
        _ = try await puller.fetch(
            [(entry, local)], from: [PullSource(client: client, peer: peer.did, remotePath: remote)],
            author: peer.principal.description, progress: PullProgress())
        guard let kept = try environment.store.version(of: local), kept.id == record.listing.terms.content else {
            throw APIError(.badGateway, code: "content_mismatch", message: "the file kept at \(local) is not the offered content")
        }
        if try catalog.settlePurchase(record.purchase, as: .delivered, at: Date()) {
            try await market.log(.delivery(purchase: record.purchase, content: record.listing.terms.content))
            market.audit(
                owner.did.description, "purchase.delivered", local.string, allowed: true,
                "purchase \(record.purchase): \(record.listing.terms.content) received and checked")
        }
        // The seller learns of it; if it cannot be told now, its own record of serving stands.
        _ = try? await environment.exchange.clients.client(for: peer).send(
            .POST, "/exchange/v1/market/purchases/\(record.purchase)/delivered", body: Array("{}".utf8), timeout: .seconds(15))
    }

    /// Both sides' work on overdue and unfinished sales, run by the market's loop: pending
    /// purchases are advanced (paid, delivered) and refunded once their deadline passed;
    /// pending sales past their deadline are settled — delivered if the content was served,
    /// refunded if not.
    func settleOverdue(now: Date = Date()) async {
        for record in (try? catalog.purchases(pendingOnly: true)) ?? [] {
            if now < record.deadline {
                if await !environment.market.sales.isBusy("purchase:" + record.purchase.value) {
                    _ = try? await advance(record.purchase)
                }
                continue
            }
            await refundPurchase(record, at: now)
        }
        for sale in (try? catalog.overdueSales(at: now)) ?? [] {
            if sale.servedAt != nil {
                if (try? catalog.settleSale(sale.purchase, as: .delivered, at: now)) == true {
                    _ = try? await market.log(.delivery(purchase: sale.purchase, content: try listedContent(sale)))
                }
            } else {
                _ = try? await refundHere(sale, at: now)
            }
        }
    }

    /// Asks the seller for the refund of an undelivered purchase and records it here, unless
    /// the seller shows it served the content (then the purchase counts as delivered).
    private func refundPurchase(_ record: PurchaseRecord, at now: Date) async {
        if record.token != nil, let peer = try? catalog.peer(did: record.listing.seller) {
            let answer = try? await environment.exchange.clients.client(for: peer).send(
                .POST, "/exchange/v1/market/purchases/\(record.purchase)/refund", body: Array("{}".utf8), timeout: .seconds(15))
            if let answer, answer.status == 409 {
                // Served under the licence (or delivered): the seller's word stands; it is noted.
                try? catalog.setPurchaseError(record.purchase, "refund refused: \(answer.refusal)")
                if (try? catalog.settlePurchase(record.purchase, as: .delivered, at: now)) == true {
                    _ = try? await market.log(.delivery(purchase: record.purchase, content: record.listing.terms.content))
                }
                return
            }
        }
        guard (try? catalog.settlePurchase(record.purchase, as: .refunded, at: now)) == true else { return }
        _ = try? await market.log(.refund(purchase: record.purchase, order: record.order.id))
        market.audit(
            owner.did.description, "purchase.refund", record.purchase.value, allowed: true,
            "not delivered by \(marketTime(record.deadline)): \(record.order.price) micro-credits back")
    }

    /// Asks the seller's agent about a compute-to-data purchase; only the answer comes back.
    func ask(_ id: PurchaseID, question: String) async throws -> AskAnswer {
        guard let record = try catalog.purchase(id) else {
            throw APIError(.notFound, code: "not_found", message: "no purchase \(id) is recorded here")
        }
        guard record.listing.terms.use == .ai, let agent = record.listing.terms.agent else {
            throw APIError(.badRequest, code: "not_compute", message: "purchase \(id) is a copy; read the delivered file at \(record.path)")
        }
        guard record.state == .delivered, let token = record.token else {
            throw APIError(.conflict, code: "not_licensed", message: "purchase \(id) is \(record.state.rawValue); it holds no licence to ask")
        }
        guard let peer = try catalog.peer(did: record.listing.seller), !peer.blocked else {
            throw APIError(.conflict, code: "unknown_peer", message: "the seller is no longer a known peer")
        }
        let client = environment.exchange.clients.client(for: peer, capability: token).with(purpose: record.purpose)
        let turn = try await client.send(
            .POST, "/exchange/v1/agents/\(agent)/chat",
            body: try StorageMarket.encode(AgentChatRequest(message: question, conversationID: nil, stream: false)),
            timeout: .seconds(300)
        ).decode(AgentTurn.self)
        return AskAnswer(purchase: id.value, answer: turn.answer)
    }

    // MARK: Helpers

    static func fileName(_ title: String) -> String {
        let cleaned = String(title.unicodeScalars.map { scalar in
            CharacterSet.alphanumerics.contains(scalar) || ".-_ ".unicodeScalars.contains(scalar) ? Character(scalar) : "-"
        }).trimmingCharacters(in: .whitespaces)
        let name = cleaned.isEmpty || cleaned.hasPrefix(".") ? "purchase" + cleaned : cleaned
        return String(name.prefix(120))
    }

    static func message(_ error: any Error) -> String {
        (error as? APIError)?.message ?? "\(error)"
    }
}

/// A time as the market's documents write it.
func marketTime(_ time: Date) -> String {
    time.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
}
