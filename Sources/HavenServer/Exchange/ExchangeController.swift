import Foundation
import HavenAccess
import HavenAgents
import HavenExchange
import HavenIdentity
import HavenLedger
import HavenMarket
import HavenStore
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `/exchange/v1/`: what other Havens ask of this one, each request signed by the asking
/// server (``ExchangeAuthenticationMiddleware``) and decided and audited here.
///
/// Content is served like an IPFS trustless gateway — `tree` lists what the capability covers,
/// `manifest/{cid}` and `chunk/{cid}` answer single blocks, `POST chunks` answers a CARv1 stream
/// — but only what a current version under the capability references (``ServedContent``);
/// anything else is a 404 exactly like an unknown CID. `feed` follows changes (long-polling
/// when caught up), `inbox` takes small messages, `agents/{name}/chat` runs an agent for the
/// asking peer under its own grants.
struct ExchangeController {
    static let prefix = "/exchange/v1/"
    /// The most CIDs one `POST chunks` may ask for.
    static let maximumBatch = 4096
    /// The most seconds a feed request may wait for a change.
    static let maximumWait = 60

    let environment: ServerEnvironment
    let agents: AgentService

    var store: DataStore { environment.store }
    var exchange: ExchangeEnvironment { environment.exchange }

    /// Whether `path` (as requested) is served here.
    static func handles(_ path: String) -> Bool {
        path == "/exchange" || path.hasPrefix("/exchange/")
    }

    func addRoutes(to router: Router<HavenRequestContext>) {
        let group = router.group("exchange/v1")
            .add(
                middleware: ExchangeAuthenticationMiddleware(
                    exchange: exchange, authenticator: TokenAuthenticator(catalog: environment.catalog, owner: environment.owner),
                    catalog: environment.catalog, audit: environment.audit,
                    maximumBody: max(InboxMessage.maximumSize, 1 << 20), failures: environment.authenticationFailures))
        group.get("tree", use: tree)
        group.get("tree/**", use: tree)
        group.get("manifest/:cid", use: manifest)
        group.get("chunk/:cid", use: chunk)
        group.post("chunks", use: chunks)
        group.get("feed", use: feed)
        group.post("inbox", use: inbox)
        group.post("agents/:name/chat", use: agentChat)
        group.post("ledger/transfer", use: ledgerTransfer)
        group.post("ledger/witness", use: ledgerWitness)
        group.get("market/offers", use: marketOffers)
        MarketExchangeController(environment: environment).addRoutes(to: group)
    }

    // MARK: Content

    @Sendable func tree(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, capability) = try requireCapability(context, action: "tree", resource: request.uri.path)
        let raw = String(request.uri.path.dropFirst("/exchange/v1/tree".count))
        let path: DataPath
        do {
            path = try DataPath(parsing: raw.isEmpty ? "/" : raw, percentEncoded: true)
        } catch {
            try record(caller, "tree", String(raw.prefix(1024)), allowed: false, reason: error.description, basis: nil)
            throw error
        }
        let decision = [Right.read, .list].lazy.map {
            AccessPolicy.decide(AccessRequest(principal: caller.principal, right: $0, resource: path.string), capability: capability)
        }.first(where: \.allowed) ?? Self.lowestCovering(path, caller: caller, capability: capability)
        try record(caller, "tree", path.string, decision)
        guard decision.allowed else { throw DataGate.denied(decision) }
        let entries = try ServedContent(store: store).tree(under: path, for: capability)
        return try DataController.json(TreeListing(path: path.string, entries: entries), status: .ok, context: context)
    }

    /// For a directory the capability covers only in part (`/photos/` with a token on
    /// `/photos/trip/`): allowed to list what it covers below.
    private static func lowestCovering(_ path: DataPath, caller: Authentication, capability: VerifiedCapability) -> AccessDecision {
        let request = AccessRequest(principal: caller.principal, right: .read, resource: path.string)
        guard path.isDirectory,
            let inside = capability.capabilities.first(where: { $0.right == .read && $0.resource.hasPrefix(path.string) })
        else { return AccessPolicy.decide(request, capability: capability) }
        return AccessDecision(
            allowed: true, basis: capability.id, cause: .capability(id: capability.id, right: .read, resource: inside.resource))
    }

    @Sendable func manifest(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, capability) = try requireCapability(context, action: "manifest", resource: request.uri.path)
        let text = try context.parameters.require("cid")
        guard let id = try? ContentID(parsing: text),
            let served = try ServedContent(store: store).manifest(id, for: capability)
        else {
            try record(caller, "manifest", String(text.prefix(128)), allowed: false, reason: "not found or not covered", basis: nil)
            throw Self.notFound(text)
        }
        if let decision = try licensed(request, caller, "manifest", path: served.path, content: id, counted: true) {
            try record(caller, "manifest", served.path, decision)
            guard decision.allowed else { throw DataGate.denied(decision) }
        } else {
            try record(caller, "manifest", served.path, allowed: true, reason: "manifest \(id) under \(capability.id)", basis: capability.id)
        }
        // A sold licence's content served: the seller's record that it delivered.
        try environment.catalog.noteSaleServed(share: capability.id, at: Date())
        var headers = HTTPFields()
        headers[.contentType] = "application/vnd.ipld.dag-json"
        headers[.eTag] = "\"\(id)\""
        headers[.cacheControl] = "private, max-age=31536000, immutable"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: served.bytes)))
    }

    @Sendable func chunk(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, capability) = try requireCapability(context, action: "chunks", resource: request.uri.path)
        let text = try context.parameters.require("cid")
        guard let id = try? ContentID(parsing: text) else {
            try record(caller, "chunks", String(text.prefix(128)), allowed: false, reason: "not found or not covered", basis: nil)
            throw Self.notFound(text)
        }
        let served = try ServedContent(store: store).servableChunks([id], for: capability)
        guard let path = served.path else {
            try record(caller, "chunks", text, allowed: false, reason: "not found or not covered", basis: nil)
            throw Self.notFound(text)
        }
        if let decision = try licensed(request, caller, "chunks", path: path, content: nil, counted: false) {
            try record(caller, "chunks", path, decision)
            guard decision.allowed else { throw DataGate.denied(decision) }
        } else {
            try record(caller, "chunks", path, allowed: true, reason: "1 block under \(capability.id)", basis: capability.id)
        }
        let bytes = try await store.objects.read(id)
        var headers = HTTPFields()
        headers[.contentType] = "application/vnd.ipld.raw"
        headers[.eTag] = "\"\(id)\""
        headers[.cacheControl] = "private, max-age=31536000, immutable"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    @Sendable func chunks(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, capability) = try requireCapability(context, action: "chunks", resource: request.uri.path)
        let body = try await request.body.collect(upTo: 1 << 20)
        let texts: [String]
        do {
            texts = try JSONDecoder().decode([String].self, from: body)
        } catch {
            throw APIError(.badRequest, code: "invalid_request", message: "the body must be a JSON array of CIDs")
        }
        guard !texts.isEmpty, texts.count <= Self.maximumBatch else {
            throw APIError(
                .badRequest, code: "invalid_request", message: "ask for 1 to \(Self.maximumBatch) CIDs, not \(texts.count)")
        }
        let ids = texts.compactMap { try? ContentID(parsing: $0) }
        let served = try ServedContent(store: store).servableChunks(ids, for: capability)
        guard let path = served.path else {
            try record(caller, "chunks", "\(texts.count) blocks", allowed: false, reason: "none found or covered", basis: nil)
            throw Self.notFound("\(texts.count) CIDs")
        }
        if let decision = try licensed(request, caller, "chunks", path: path, content: nil, counted: false) {
            try record(caller, "chunks", path, decision)
            guard decision.allowed else { throw DataGate.denied(decision) }
        } else {
            try record(
                caller, "chunks", path, allowed: true,
                reason: "\(served.ids.count) of \(texts.count) blocks under \(capability.id)", basis: capability.id)
        }
        let objects = store.objects
        var headers = HTTPFields()
        headers[.contentType] = "application/vnd.ipld.car; version=1"
        headers[.cacheControl] = "private, no-store"
        let stream = ResponseBody { writer in
            try await writer.write(ByteBuffer(bytes: CARWriter.header(roots: served.ids)))
            var buffer = ByteBuffer()
            for id in served.ids {
                // Read and checked against its hash: a damaged chunk ends the stream, never served.
                let bytes = try await objects.read(id)
                buffer.writeBytes(CARWriter.blockPrefix(id, length: bytes.count))
                buffer.writeBytes(bytes)
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer = ByteBuffer()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: stream)
    }

    // MARK: Feed

    @Sendable func feed(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (caller, capability) = try requireCapability(context, action: "feed", resource: request.uri.path)
        let query = request.uri.queryParameters
        let path = try DataPath(parsing: query["path"].map(String.init) ?? "/")
        let since = query["since"].flatMap { Int64($0) } ?? 0
        let wait = min(Self.maximumWait, max(0, query["wait"].flatMap { Int($0) } ?? 0))
        let limit = min(1000, max(1, query["limit"].flatMap { Int($0) } ?? 200))
        let decision = AccessPolicy.decide(
            AccessRequest(principal: caller.principal, right: .read, resource: path.string), capability: capability)
        try record(caller, "feed", path.string, decision)
        guard decision.allowed else { throw DataGate.denied(decision) }
        let allows = { (version: FileVersion) in
            AccessPolicy.decide(
                AccessRequest(principal: caller.principal, right: .read, resource: version.path.string), capability: capability
            ).allowed
        }
        var page = try store.changes(after: since, under: path, limit: limit, include: allows)
        let askedFeed = query["feed"].map(String.init)
        // Caught up, and the follower is on this feed: hold the request until a change or the wait ends.
        if page.changes.isEmpty, wait > 0, askedFeed == nil || askedFeed == page.feedID {
            var cursor = page.next
            let deadline = ContinuousClock.now + .seconds(wait)
            while page.changes.isEmpty, ContinuousClock.now < deadline {
                let known = max(cursor, page.latest)
                // A server shutting down answers at once rather than holding its shutdown up.
                let waited = try? await cancelWhenGracefulShutdown {
                    try await store.waitForChange(after: known, timeout: deadline - ContinuousClock.now)
                }
                guard let latest = waited, latest > known else { break }
                page = try store.changes(after: cursor, under: path, limit: limit, include: allows)
                cursor = page.next
            }
            // The capability may have been revoked while the request waited: decided again now.
            if let revoked = try capability.chain.first(where: { try environment.catalog.isTokenRevoked($0) }) {
                let message = "capability token \(revoked) was revoked while this request waited"
                try record(caller, "feed", path.string, allowed: false, reason: message, basis: capability.id)
                throw APIError(.unauthorized, code: "invalid_capability", message: message)
            }
        }
        let answer = FeedPage(
            feedID: page.feedID, changes: page.changes.map(FeedChange.init), next: page.next, latest: page.latest)
        return try DataController.json(answer, status: .ok, context: context)
    }

    // MARK: Inbox

    @Sendable func inbox(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        guard let signature = context.exchangeSignature else { throw AuthenticationError.missingCredentials }
        let sender = signature.signer
        let body = try await request.body.collect(upTo: InboxMessage.maximumSize + 1)
        guard body.readableBytes <= InboxMessage.maximumSize else {
            try record(caller, "inbox", "/inbox/", allowed: false, reason: "message too large", basis: nil)
            throw ExchangeError.messageTooLarge(limit: InboxMessage.maximumSize)
        }
        let message: InboxMessage
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            message = try decoder.decode(InboxMessage.self, from: body)
            try message.validate()
        } catch {
            let reason = (error as? ExchangeError)?.description ?? "the body is not a message: \(error)"
            try record(caller, "inbox", "/inbox/", allowed: false, reason: reason, basis: nil)
            throw (error as? ExchangeError) ?? ExchangeError.invalidMessage(reason)
        }
        let peer = try environment.catalog.peer(did: sender)
        if peer == nil, let wait = await exchange.unknownSenders.admit(sender.description) {
            try record(caller, "inbox", "/inbox/requests/", allowed: false, reason: "rate limited", basis: nil)
            throw ExchangeError.rateLimited(retryAfter: wait)
        }
        let receipt = try await exchange.inbox.receive(message, from: sender, peer: peer)
        try record(
            caller, "inbox", receipt.message.path, allowed: true,
            reason: receipt.isNew ? "message \(message.id) stored" : "message \(message.id) already received", basis: nil)
        if receipt.isNew, let peer, !message.attachments.isEmpty {
            await fetchAttachments(of: message, into: receipt.message, from: peer, context: context)
        }
        await environment.indexer.enqueue(try DataPath(parsing: receipt.message.path))
        return try DataController.json(
            InboxReceipt(id: message.id, path: receipt.message.path, duplicate: !receipt.isNew), status: .accepted,
            context: context)
    }

    /// Verifies each attachment's capability (issued by the sender to this server) and pulls
    /// the attachment in the background; an attachment whose capability fails is skipped.
    private func fetchAttachments(
        of message: InboxMessage, into received: ReceivedMessage, from peer: Peer, context: HavenRequestContext
    ) async {
        for (attachment, stored) in zip(message.attachments, received.attachments) {
            guard let local = stored.localPath else { continue }
            do {
                let held = try HeldCapability.verify(attachment.capability, issuer: peer.did, holder: environment.owner, at: Date())
                try environment.catalog.saveHeldCapability(held)
                let source = PullSource(
                    client: exchange.clients.client(for: peer, capability: held.token), peer: peer.did,
                    remotePath: try DataPath(parsing: attachment.path))
                _ = await exchange.service.startPull(
                    from: [source], to: try DataPath(parsing: local), author: peer.principal.description)
            } catch {
                context.logger.warning(
                    "attachment skipped", metadata: ["message": "\(message.id)", "attachment": "\(attachment.name)", "error": "\(error)"])
            }
        }
    }

    // MARK: Agents

    @Sendable func agentChat(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let name = try context.parameters.require("name")
        let body = try await request.decode(as: AgentChatRequest.self, context: context)
        guard !body.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError(.badRequest, code: "invalid_request", message: "message must not be empty")
        }
        do {
            _ = try environment.agents.agent(named: name)
        } catch {
            try record(caller, "agents", "agents/\(name)", allowed: false, reason: "\(error)", basis: nil)
            throw error
        }
        if caller.capability != nil {
            return try await computeToData(request, caller: caller, agent: name, message: body, context: context)
        }
        // A peer's agent request runs under the peer's own grants, never a capability's.
        let asPeer = Authentication(principal: caller.principal, tokenName: "signature")
        try record(caller, "agents", "agents/\(name)", allowed: true, reason: "agent \(name) runs for \(caller.principal)", basis: nil)
        let turn = try await agents.run(agent: name, input: body.message, conversation: body.conversationID, caller: asPeer)
        return try turn.response(from: request, context: context)
    }

    /// Compute-to-data: an agent runs for a peer under the `ai` capability it holds (a sold
    /// licence), every term of the licence decided and the use counted; only the answer goes
    /// back — no trace, so no passage the agent read leaves this server.
    private func computeToData(
        _ request: Request, caller: Authentication, agent name: String, message body: AgentChatRequest, context: HavenRequestContext
    ) async throws -> Response {
        guard let capability = caller.capability,
            let covered = capability.capabilities.first(where: { $0.right == .ai })
        else {
            let message = "asking an agent with a capability needs the 'ai' right; this token does not carry it"
            try record(caller, "agents", "agents/\(name)", allowed: false, reason: message, basis: caller.capability?.id)
            throw APIError(.forbidden, code: "access_denied", message: message)
        }
        let path = try DataPath(parsing: covered.resource)
        let policies = try environment.catalog.sharePolicies(among: capability.chain)
        if !policies.isEmpty {
            guard let content = try store.version(of: path)?.id else {
                try record(caller, "agents", path.string, allowed: false, reason: "\(path) holds no current version", basis: capability.id)
                throw Self.notFound(path.string)
            }
            let use = LicenceUse(
                action: .ai, target: try LicenceTarget(content.description), purpose: try DataGate.purpose(of: request.headers),
                counted: true)
            let decision = try environment.gate.decide(caller, .ai, path, use: use, policies: policies, at: Date())
            try record(caller, "agents", path.string, decision)
            guard decision.allowed else { throw DataGate.denied(decision) }
        } else {
            try record(
                caller, "agents", path.string, allowed: true, reason: "agent \(name) runs under capability \(capability.id)",
                basis: capability.id)
        }
        // The seller sold the compute: the model runs on the owner's right to infer, while every
        // tool call is decided by the buyer's capability.
        let turn = try await agents.run(
            agent: name, input: body.message, conversation: nil, caller: caller,
            inferringAs: Authentication(principal: .owner, tokenName: "compute-to-data"))
        return try DataController.json(
            AgentTurn(conversationID: turn.conversationID, answer: turn.answer, trace: []), status: .ok, context: context)
    }

    // MARK: Ledger

    /// A transfer of content to this server's owner, delivered by the sending peer with its
    /// chain and proofs; accepted only when all of it checks out (``LedgerService/accept``).
    @Sendable func ledgerTransfer(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        guard case .peer(let sender) = caller.principal else {
            throw APIError(.forbidden, code: "access_denied", message: "transfers are delivered by the sending server")
        }
        guard try environment.catalog.peer(did: sender) != nil else {
            let message = "\(sender) is not a known peer here; its owner must be added with 'haven peer add' to deliver transfers"
            try record(caller, "ledger.transfer", "transfer", allowed: false, reason: message, basis: nil)
            throw APIError(.forbidden, code: "unknown_peer", message: message)
        }
        let bytes = try await request.body.collect(upTo: TransferDelivery.maximumRecords * 80 << 10)
        let body: TransferDeliveryBody
        do {
            body = try JSONDecoder().decode(TransferDeliveryBody.self, from: bytes)
        } catch {
            throw APIError(.badRequest, code: "invalid_request", message: "the body must be {\"proofs\": [\".tlog-proof text\", …]}")
        }
        do {
            let chain = try await LedgerService(environment: environment).accept(body, from: sender)
            try record(
                caller, "ledger.transfer", chain.content.description, allowed: true,
                reason: "accepted ownership of \(chain.content) from \(sender): \(chain.records.count) records, each proven in its log",
                basis: nil)
            return try DataController.json(
                OwnershipListing(content: chain.content.description, owner: chain.owner.description, records: []), status: .ok,
                context: context)
        } catch let error as APIError {
            try record(caller, "ledger.transfer", "transfer", allowed: false, reason: error.message, basis: nil)
            throw error
        }
    }

    /// A known peer's server will witness this log: it is registered, with the cosigner key
    /// named by its did:key, and sent the current checkpoint.
    @Sendable func ledgerWitness(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        guard case .peer(let did) = caller.principal, let peer = try environment.catalog.peer(did: did), !peer.blocked else {
            let message = "only a known peer's server may witness this log; add it with 'haven peer add' first"
            try record(caller, "ledger.witness", "witness", allowed: false, reason: message, basis: nil)
            throw APIError(.forbidden, code: "unknown_peer", message: message)
        }
        let bytes = try await request.body.collect(upTo: 4096)
        guard let body = try? JSONDecoder().decode(WitnessRegistration.self, from: bytes) else {
            throw APIError(.badRequest, code: "invalid_request", message: "the body must be {\"cosigner_key\": \"vkey\"}")
        }
        try await environment.witnesses.register(peer, cosignerKey: body.cosignerKey)
        try record(caller, "ledger.witness", did.description, allowed: true, reason: "\(peer.name) now witnesses this log", basis: nil)
        return Response(status: .noContent)
    }

    // MARK: Market

    /// This server's open storage offers, for a known peer shopping for storage.
    @Sendable func marketOffers(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        guard case .peer(let did) = caller.principal, let peer = try environment.catalog.peer(did: did), !peer.blocked else {
            throw APIError(.forbidden, code: "unknown_peer", message: "offers are shown to known peers; ask the owner to add your server")
        }
        let now = Date()
        let open = try environment.catalog.marketOffers().map(\.offer).filter { !$0.isExpired(at: now) }
        return try DataController.json(
            PeerOffers(offers: open.map { String(decoding: $0.encoded, as: UTF8.self) }), status: .ok, context: context)
    }

    // MARK: Helpers

    /// The decision of the licences the caller's capability chain carries on a use of the
    /// content at `path` (copying it to the caller's server: ODRL `reproduce`), or `nil` when
    /// the chain carries none. A manifest fetch is one counted use; the chunks that go with it
    /// are checked against every other term but not counted again. `content` is the manifest;
    /// for chunks, the current version's manifest at `path`.
    private func licensed(
        _ request: Request, _ caller: Authentication, _ action: String, path: String, content: ContentID?, counted: Bool
    ) throws -> AccessDecision? {
        guard let capability = caller.capability else { return nil }
        let policies = try environment.catalog.sharePolicies(among: capability.chain)
        guard !policies.isEmpty else { return nil }
        let dataPath = try DataPath(parsing: path)
        guard let target = try content ?? store.version(of: dataPath)?.id else {
            return AccessDecision(allowed: false, basis: nil, cause: .stated("\(path) holds no current version to license"))
        }
        let use = LicenceUse(
            action: .reproduce, target: try LicenceTarget(target.description), purpose: try DataGate.purpose(of: request.headers),
            counted: counted)
        return try environment.gate.decide(caller, .read, dataPath, use: use, policies: policies, at: Date())
    }

    /// The caller and its capability; content requests need one (401, audited, without).
    private func requireCapability(
        _ context: HavenRequestContext, action: String, resource: String
    ) throws -> (Authentication, VerifiedCapability) {
        let caller = try context.requireAuthentication()
        guard let capability = caller.capability else {
            let message = "this request needs a capability token issued to your server: 'Authorization: Bearer <token>'"
            try record(caller, action, String(resource.prefix(1024)), allowed: false, reason: message, basis: nil)
            throw APIError(.unauthorized, code: "capability_required", message: message)
        }
        return (caller, capability)
    }

    private func record(_ caller: Authentication, _ action: String, _ resource: String, _ decision: AccessDecision) throws {
        try record(caller, action, resource, allowed: decision.allowed, reason: decision.reason, basis: decision.basis)
    }

    private func record(
        _ caller: Authentication, _ action: String, _ resource: String, allowed: Bool, reason: String, basis: String?
    ) throws {
        try environment.audit.record(
            principal: caller.principal.description, action: "exchange." + action, resource: resource, allowed: allowed,
            reason: reason, basis: basis)
    }

    static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) is not available here")
    }
}
