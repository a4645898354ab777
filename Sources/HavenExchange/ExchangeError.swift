import HavenIdentity

/// Why an exchange with a peer could not be done, with a message the owner can act on.
public enum ExchangeError: Error, Equatable, Sendable {
    case invalidPeerName(String)
    case invalidURL(String)
    case peerNameTaken(String)
    case unknownPeer(String)
    case peerBlocked(String)
    /// The challenge in `/.well-known/haven?challenge=` is empty, too long or not printable ASCII.
    case invalidChallenge
    /// The peer's answer did not sign the challenge.
    case proofMissing(DID)
    /// The peer's signature over the challenge does not verify with its DID's key.
    case proofInvalid(DID)
    /// The peer claims to be this server.
    case peerIsSelf
    /// A capability token offered to this server did not verify.
    case capabilityRefused(String)
    /// No capability from this peer covers the path.
    case noCapability(peer: String, path: String)
    case peerUnreachable(String, reason: String)
    case signingFailed(String)
    /// The peer answered with an error.
    case peerRefused(status: Int, code: String?, message: String)
    case badResponse(String)
    case noSource
    /// Some chunks could not be fetched intact from any source; what was verified is kept.
    case incomplete(missing: Int)
    case store(String)
    case catalog(String)
    case invalidMessage(String)
    case messageTooLarge(limit: Int)
    case rateLimited(retryAfter: Int)
    case mirrorExists(String)
    case mirrorNotFound(String)
}

extension ExchangeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidPeerName(let name):
            "'\(name)' cannot name a peer: use 1 to 64 lower-case letters, digits, '-', '_' or '.'"
        case .invalidURL(let url):
            "'\(url)' is not a usable server URL: give http(s)://host[:port] without a query"
        case .peerNameTaken(let name): "another peer is already called '\(name)'; choose another --name"
        case .unknownPeer(let name): "no peer is called '\(name)'; add it with 'haven peer add URL --name \(name)'"
        case .peerBlocked(let name): "peer \(name) is blocked; unblock it with 'haven peer unblock \(name)'"
        case .invalidChallenge: "a challenge is 1 to 128 printable ASCII characters"
        case .proofMissing(let did): "the server did not sign the challenge, so it cannot be shown to hold the key of \(did)"
        case .proofInvalid(let did): "the server's signature over the challenge does not verify: it does not hold the key of \(did)"
        case .peerIsSelf: "that URL answers with this server's own identity"
        case .capabilityRefused(let reason): "the capability token was refused: \(reason)"
        case .noCapability(let peer, let path):
            "no capability from \(peer) covers \(path); ask its owner for one ('haven share \(path) --to <your did>') and add it with --capability"
        case .peerUnreachable(let url, let reason): "cannot reach \(url): \(reason)"
        case .signingFailed(let reason): "cannot sign the request: \(reason)"
        case .peerRefused(let status, _, let message): "the peer refused (\(status)): \(message)"
        case .badResponse(let reason): "the peer's answer is unusable: \(reason)"
        case .noSource: "no source to fetch from"
        case .incomplete(let missing):
            "\(missing) chunks could not be fetched intact from any source; what arrived verified is kept, so running it again fetches only the rest"
        case .store(let reason): "the local store refused: \(reason)"
        case .catalog(let reason): "the catalog refused: \(reason)"
        case .invalidMessage(let reason): "the message is not valid: \(reason)"
        case .messageTooLarge(let limit): "a message has at most \(limit) bytes"
        case .rateLimited(let seconds): "too many messages from an unknown sender; retry in \(seconds) s"
        case .mirrorExists(let path): "a mirror already writes to \(path)"
        case .mirrorNotFound(let id): "no mirror '\(id)'; see 'haven mirror list'"
        }
    }
}
