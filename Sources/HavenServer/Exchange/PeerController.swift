import Foundation
import HavenExchange
import HavenIdentity
import HavenStore
import Hummingbird

/// `/haven/peers`: the owner adds a peer (its key proven by a signed challenge), lists,
/// blocks, unblocks and removes peers, and keeps the capability tokens peers issued to this
/// server.
struct PeerController {
    let environment: ServerEnvironment

    var catalog: Catalog { environment.catalog }

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get { _, context in
            _ = try context.requireOwner()
            return try DataController.json(PeerList(peers: try catalog.peers()), status: .ok, context: context)
        }
        group.post(use: add)
        group.delete(":name") { _, context in
            _ = try context.requireOwner()
            let peer = try environment.exchange.clients.peerIncludingBlocked(named: try context.parameters.require("name"))
            _ = try catalog.removePeer(did: peer.did)
            context.logger.info("peer removed", metadata: ["peer": "\(peer.did)"])
            return try DataController.json(peer, status: .ok, context: context)
        }
        group.post(":name/block") { _, context in try setBlocked(true, context: context) }
        group.post(":name/unblock") { _, context in try setBlocked(false, context: context) }
        group.post(":name/capabilities") { request, context in
            _ = try context.requireOwner()
            let peer = try environment.exchange.clients.peerIncludingBlocked(named: try context.parameters.require("name"))
            let body = try await request.decode(as: AddCapabilityRequest.self, context: context)
            let held = try HeldCapability.verify(body.token, issuer: peer.did, holder: environment.owner, at: Date())
            try catalog.saveHeldCapability(held)
            return try DataController.json(held, status: .created, context: context)
        }
        group.get(":name/capabilities") { _, context in
            _ = try context.requireOwner()
            let peer = try environment.exchange.clients.peerIncludingBlocked(named: try context.parameters.require("name"))
            return try DataController.json(
                HeldCapabilityList(capabilities: try catalog.heldCapabilities(from: peer.did)), status: .ok, context: context)
        }
    }

    /// Fetches the peer's `/.well-known/haven` with a fresh challenge, checks the signature
    /// over it against the DID it claims, and stores the peer (and any capabilities given).
    @Sendable func add(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await request.decode(as: AddPeerRequest.self, context: context)
        let url = try Peer.normalizeURL(body.url)
        if let name = body.name { try Peer.validateName(name) }
        let challenge = ServerInfo.newChallenge()
        let response = try await environment.exchange.clients.client(url: url)
            .send(.GET, WellKnownController.path + "?challenge=" + challenge, timeout: .seconds(15))
        let info = try response.decode(ServerInfo.self)
        try info.verifyProof(of: challenge)
        guard info.did != environment.owner else { throw ExchangeError.peerIsSelf }
        let name = try body.name ?? Self.defaultName(info.name)
        // Verified before anything is stored: every capability must be this peer's, for this server.
        let held = try (body.capabilities ?? []).map { token throws(ExchangeError) in
            try HeldCapability.verify(token, issuer: info.did, holder: environment.owner, at: Date())
        }
        let peer = try catalog.savePeer(Peer(did: info.did, name: name, url: url, addedAt: Date()))
        for capability in held { try catalog.saveHeldCapability(capability) }
        context.logger.info("peer added", metadata: ["peer": "\(peer.did)", "peer.name": "\(peer.name)"])
        return try DataController.json(peer, status: .created, context: context)
    }

    private func setBlocked(_ blocked: Bool, context: HavenRequestContext) throws -> Response {
        _ = try context.requireOwner()
        let peer = try environment.exchange.clients.peerIncludingBlocked(named: try context.parameters.require("name"))
        _ = try catalog.setPeerBlocked(did: peer.did, blocked)
        let updated = try catalog.peer(did: peer.did) ?? peer
        return try DataController.json(updated, status: .ok, context: context)
    }

    /// A usable peer name from the name a server gives itself.
    static func defaultName(_ name: String) throws(ExchangeError) -> String {
        let lowered = String(name.lowercased().map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" }.prefix(64))
        try Peer.validateName(lowered)
        return lowered
    }
}
