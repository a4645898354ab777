import AsyncHTTPClient
import Foundation
import HavenAccess
import HavenIdentity
import HavenStore

/// Makes signed clients for the peers this server knows, each carrying the capability that
/// peer gave for what is being fetched.
public struct PeerClients: Sendable {
    let catalog: Catalog
    public let http: HTTPClient
    public let signer: RequestSigner

    public init(catalog: Catalog, http: HTTPClient, signer: RequestSigner) {
        self.catalog = catalog
        self.http = http
        self.signer = signer
    }

    /// A client for `peer`'s URL, sending `capability` if given.
    public func client(for peer: Peer, capability: String? = nil) -> PeerClient {
        PeerClient(http: http, signer: signer, baseURL: peer.url, capability: capability)
    }

    /// A client for `url` (a server not yet known as a peer).
    public func client(url: String) -> PeerClient {
        PeerClient(http: http, signer: signer, baseURL: url)
    }

    /// The peer called `name` (or with that DID), if it is known and not blocked.
    public func peer(named name: String) throws(ExchangeError) -> Peer {
        let peer = try peerIncludingBlocked(named: name)
        guard !peer.blocked else { throw .peerBlocked(peer.name) }
        return peer
    }

    /// The peer called `name` (or with that DID), blocked or not.
    public func peerIncludingBlocked(named name: String) throws(ExchangeError) -> Peer {
        let found: Peer?
        do {
            found = try catalog.peer(named: name)
        } catch {
            throw .catalog("\(error)")
        }
        guard let peer = found else { throw .unknownPeer(name) }
        return peer
    }

    /// A source for `path` on `peer`, with the newest capability from it that allows reading there.
    public func source(peer did: DID, path: DataPath) throws(ExchangeError) -> PullSource {
        let found: Peer?
        do {
            found = try catalog.peer(did: did)
        } catch {
            throw .catalog("\(error)")
        }
        guard let peer = found else { throw .unknownPeer(did.description) }
        return try source(peer: peer, path: path)
    }

    /// A source for `path` on `peer`, with the newest capability from it that allows reading there.
    public func source(peer: Peer, path: DataPath) throws(ExchangeError) -> PullSource {
        guard !peer.blocked else { throw .peerBlocked(peer.name) }
        let held: HeldCapability?
        do {
            held = try catalog.heldCapability(from: peer.did, allowing: .read, on: path.string)
        } catch {
            throw .catalog("\(error)")
        }
        guard let held else { throw .noCapability(peer: peer.name, path: path.string) }
        return PullSource(client: client(for: peer, capability: held.token), peer: peer.did, remotePath: path)
    }
}
