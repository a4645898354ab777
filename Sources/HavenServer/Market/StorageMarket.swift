import Crypto
import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenLedger
import HavenMarket
import HavenStore
import Hummingbird
import NIOCore

/// The storage market's work on this server, both sides of it, over the pure contract,
/// challenge and replica code in `HavenMarket`:
///
/// - as a consumer: backing a folder up K-of-N (``backup(_:)``), opening one contract per
///   shard with providers among the known peers' open offers, challenging them, settling each
///   period, declaring a breach on failed evidence and repairing the lost shard elsewhere, and
///   restoring;
/// - as a provider: taking a contract on one of its own offers, pulling the shard with the
///   contract's capability, answering challenges and countersigning settlements.
///
/// Every binding revision and every failed challenge's evidence is appended to this server's
/// ledger (``MarketLogEntry``), so both parties' logs record each contract's life.
struct StorageMarket: Sendable {
    /// The largest folder a backup packs (it is encoded in memory).
    static let maximumBackupBytes = 2 << 30
    /// The longest a provider may take to pull its shard.
    static let pullTimeout: TimeAmount = .seconds(900)

    let environment: ServerEnvironment

    var catalog: Catalog { environment.catalog }
    var owner: IdentityKey { environment.ownerKey }
    var state: StorageMarketState { environment.market }

    // MARK: Shared

    /// Appends `entry` to this server's ledger and tells the witnesses.
    @discardableResult
    func log(_ entry: MarketLogEntry) async throws -> UInt64 {
        let index = try await environment.ledgerAppender.append(entry.encoded)
        environment.witnesses.checkpointChanged()
        return index
    }

    /// Keeps a binding revision and logs it.
    func record(_ revision: ContractRevision) async throws {
        try catalog.saveRevision(revision)
        let index = try await log(
            .revision(contract: revision.contract, number: revision.number, revision: revision.id, status: revision.status))
        try catalog.setRevisionLogIndex(index, contract: revision.contract, number: revision.number)
    }

    func audit(_ principal: String, _ action: String, _ resource: String, allowed: Bool, _ reason: String) {
        _ = try? environment.audit.record(
            principal: principal, action: "market." + action, resource: resource, allowed: allowed, reason: reason)
    }

    /// The client for the other party of a contract, which must be a known, unblocked peer.
    func client(for did: DID) throws -> PeerClient {
        guard let peer = try catalog.peer(did: did), !peer.blocked else {
            throw APIError(.conflict, code: "unknown_peer", message: "\(did) is no longer a known peer here; add it again with 'haven peer add'")
        }
        return environment.exchange.clients.client(for: peer)
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() as UInt8 }
    }

    // MARK: Offers

    /// The open offers of every known peer, each checked: signature, provider (the peer
    /// itself) and expiry; peers that could not be asked, with why.
    func peerOffers() async throws -> (offers: [(peer: Peer, offer: StorageOffer)], unreachable: [String: String]) {
        var offers: [(peer: Peer, offer: StorageOffer)] = []
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
                    offers.append((peer, offer))
                }
            } catch {
                unreachable[peer.name] = "\(error)"
            }
        }
        return (offers, unreachable)
    }

    // MARK: Consumer: contracts

    /// Opens a contract on `offer` for one sealed shard: revision 0 signed here, sent with a
    /// capability to pull the shard; the provider pulls it, checks it against the commitment,
    /// countersigns. The countersigned revision is checked, kept and logged.
    func open(
        offer: StorageOffer, nonce: [UInt8], sealed: [UInt8], commitment: ShardCommitment, termPeriods: UInt64,
        backup: String, shardIndex: Int
    ) async throws -> StoredContract {
        let client = try client(for: offer.provider)
        let proposed = try ContractRevision.opening(
            offer: offer, consumer: owner.did, nonce: nonce, shard: commitment, termPeriods: termPeriods
        ).signed(by: owner)
        let id = proposed.contract
        let capability = try CapabilityToken.mint(
            issuer: owner, audience: offer.provider, capabilities: [Capability(resource: "market/contracts/\(id)", right: .read)],
            expiresAt: Date() + 3600)
        await state.outgoing.put(sealed, for: id, provider: offer.provider)
        let reply: RevisionMessage
        do {
            let body = ContractProposal(
                offer: String(decoding: offer.encoded, as: UTF8.self), revision: String(decoding: proposed.encoded, as: UTF8.self),
                capability: capability)
            reply = try await client.send(.POST, "/exchange/v1/market/contracts", body: try Self.encode(body), timeout: Self.pullTimeout)
                .decode(RevisionMessage.self)
        } catch {
            await state.outgoing.remove(id)
            throw error
        }
        await state.outgoing.remove(id)
        let signed = try ContractRevision(parsing: Array(reply.revision.utf8))
        guard signed.signedMessage == proposed.signedMessage else {
            throw APIError(.badGateway, code: "contract_refused", message: "the provider countersigned something other than the proposed contract")
        }
        let now = Date()
        let contract = try Contract.opening(offer: offer, revision: signed, at: min(now, offer.expires))
        try catalog.saveContract(contract, role: .consumer, peer: offer.provider, openedAt: now, backup: backup, shardIndex: shardIndex)
        let index = try await log(.revision(contract: id, number: 0, revision: signed.id, status: signed.status))
        try catalog.setRevisionLogIndex(index, contract: id, number: 0)
        audit(
            owner.did.description, "contract.open", id.description, allowed: true,
            "shard \(shardIndex) of backup \(backup), \(commitment.byteCount) bytes with \(offer.provider) for \(termPeriods) periods")
        return StoredContract(
            role: .consumer, peer: offer.provider, contract: contract, openedAt: now, backup: backup, shardIndex: shardIndex)
    }

    /// Sends the next revision (signed here) to the provider and keeps its countersigned copy.
    func agree(_ stored: StoredContract, on proposed: ContractRevision) async throws -> Contract {
        let signed = try proposed.signed(by: owner)
        let reply = try await client(for: stored.peer).send(
            .POST, "/exchange/v1/market/contracts/\(stored.id)/revisions",
            body: try Self.encode(RevisionMessage(revision: String(decoding: signed.encoded, as: UTF8.self), evidence: nil)),
            timeout: .seconds(30)
        ).decode(RevisionMessage.self)
        let countersigned = try ContractRevision(parsing: Array(reply.revision.utf8))
        guard countersigned.signedMessage == signed.signedMessage else {
            throw APIError(.badGateway, code: "revision_refused", message: "the provider countersigned another revision")
        }
        let contract = try stored.contract.applying(countersigned)
        try await record(countersigned)
        return contract
    }

    /// Settles the period that just ended (all its challenges passed): the fee moves to the
    /// provider less the hold-back; after the last period, the contract ends and the hold-back
    /// is paid.
    func settle(_ stored: StoredContract) async throws -> Contract {
        var contract = try await agree(stored, on: try stored.contract.proposingSettlement())
        audit(owner.did.description, "contract.settle", stored.id.description, allowed: true, "period \(contract.current.period) paid")
        if contract.current.period == contract.current.termPeriods {
            let settled = StoredContract(
                role: .consumer, peer: stored.peer, contract: contract, openedAt: stored.openedAt, backup: stored.backup,
                shardIndex: stored.shardIndex)
            contract = try await agree(settled, on: try contract.proposingEnd())
            audit(owner.did.description, "contract.end", stored.id.description, allowed: true, "term complete; hold-back paid")
        }
        return contract
    }

    /// Closes a contract on failed evidence: the collateral is forfeited to this side, the
    /// provider is told (with the evidence), and the shard is repaired elsewhere.
    func breach(_ stored: StoredContract, evidence: ChallengeEvidence) async throws {
        let revision = try stored.contract.proposingBreach().signed(by: owner)
        _ = try stored.contract.applyingBreach(revision, evidence: evidence)
        try await record(revision)
        audit(
            owner.did.description, "contract.breach", stored.id.description, allowed: true,
            "challenge \(evidence.challenge.period)/\(evidence.challenge.sequence) \(evidence.outcome.rawValue); collateral \(stored.contract.current.balances.collateralPosted) forfeited")
        // The provider learns of it; it cannot undo it, so a failure to reach it changes nothing.
        _ = try? await client(for: stored.peer).send(
            .POST, "/exchange/v1/market/contracts/\(stored.id)/revisions",
            body: try Self.encode(
                RevisionMessage(
                    revision: String(decoding: revision.encoded, as: UTF8.self),
                    evidence: String(decoding: evidence.encoded, as: UTF8.self))),
            timeout: .seconds(15))
    }
}


/// Lower-case hex SHA-256 of `bytes`.
func SHA256Digest(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}
