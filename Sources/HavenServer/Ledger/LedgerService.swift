import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenLedger
import HavenStore

/// What the owner does with the ledger, and what another Haven delivers to it: minting,
/// licensing, revoking and transferring content, each a signed record kept in the catalog and
/// appended to this server's log; and accepting a transfer from a peer after checking the
/// whole chain and every proof.
struct LedgerService: Sendable {
    let environment: ServerEnvironment

    var catalog: Catalog { environment.catalog }
    var owner: DID { environment.owner }

    /// Keeps the record, then appends its id to the log: a crash between the two leaves a kept
    /// record without a log index, never a log entry whose record is lost. Records appended at
    /// once go out in one batch; the index is returned once that batch is durable.
    @discardableResult
    func append(_ record: LedgerRecord, kept: Bool = false) async throws -> UInt64 {
        if !kept { try catalog.saveLedgerRecord(record, at: Date()) }
        let index = try await environment.ledgerAppender.append(RecordProof.entry(for: record))
        try catalog.setLogIndex(index, of: record.id)
        environment.witnesses.checkpointChanged()
        return index
    }

    /// The `.tlog-proof` of a record in this server's log, against the latest checkpoint.
    func proof(of record: LedgerRecord, index: UInt64) async throws -> TlogProof {
        guard let note = await environment.ledger.checkpoint else {
            throw APIError(.notFound, code: "no_checkpoint", message: "the ledger is empty")
        }
        let size = try Checkpoint(parsing: note.text).size
        return try RecordProof.make(
            record: record, index: index,
            inclusionProof: try await environment.ledger.inclusionProof(index: index, treeSize: size), note: note)
    }

    /// The ownership chain of `content` as kept here, or a 404 / 409 saying why there is none.
    func chain(of content: ContentID) throws -> (chain: OwnershipChain, indexes: [ContentID: UInt64]) {
        let kept = try catalog.ledgerRecords(about: content)
        let owned = kept.filter {
            if case .mint = $0.record.statement { return true }
            if case .transfer = $0.record.statement { return true }
            return false
        }
        guard !owned.isEmpty else {
            throw APIError(.notFound, code: "not_found", message: "the ledger holds no mint of \(content); mint it first")
        }
        let chain: OwnershipChain
        do {
            chain = try OwnershipChain(content: content, records: owned.map(\.record))
        } catch {
            throw APIError(.conflict, code: "broken_chain", message: "the records kept about \(content) do not chain: \(error)")
        }
        var indexes: [ContentID: UInt64] = [:]
        for entry in owned { indexes[entry.record.id] = entry.logIndex }
        return (chain, indexes)
    }

    /// Refuses unless this server's owner owns `content` now.
    func requireOwnership(of content: ContentID) throws -> (chain: OwnershipChain, indexes: [ContentID: UInt64]) {
        let found = try chain(of: content)
        guard found.chain.owner == owner else {
            throw APIError(
                .forbidden, code: "not_owner", message: "\(content) is owned by \(found.chain.owner), not by this server's owner")
        }
        return found
    }

    // MARK: Mints

    /// The mint record of `path`'s current version: the one kept already, or a new one signed
    /// here (naming `licence` when given) and appended. `isNew` says which.
    func mint(
        _ path: DataPath, title: String?, licence: LicencePolicy?
    ) async throws -> (record: LedgerRecord, index: UInt64?, isNew: Bool) {
        guard let version = try environment.store.version(of: path), let content = version.id else {
            throw APIError(.notFound, code: "not_found", message: "\(path) holds no file to mint")
        }
        if let existing = try catalog.ledgerRecords(about: content).first(where: {
            if case .mint = $0.record.statement { true } else { false }
        }) {
            return (existing.record, existing.logIndex, false)
        }
        let title = String((title ?? path.description.split(separator: "/").last.map(String.init) ?? "").prefix(200))
        if let licence { try catalog.saveLedgerPolicy(licence) }
        let record = try LedgerRecord(
            .mint(
                content: content, mediaType: version.mediaType ?? "application/octet-stream", title: title,
                licence: licence?.contentID),
            by: environment.ownerKey)
        return (record, try await append(record), true)
    }

    // MARK: Licences

    /// Licences `content` to `holder` under `policy`: a licence record in the log, and a
    /// capability token for the file that holds the content, carrying the policy, so every use
    /// is decided by it (`right` on that file: `read` to copy it, `ai` for compute-to-data).
    /// Returns the record, its log index and the token.
    func licence(
        _ content: ContentID, to holder: DID, policy: LicencePolicy, right: Right = .read
    ) async throws -> (record: LedgerRecord, index: UInt64, token: String, share: Share) {
        _ = try requireOwnership(of: content)
        guard holder != owner else { throw APIError(.badRequest, code: "invalid_request", message: "the owner needs no licence") }
        let targets = Set((policy.permissions + policy.prohibitions).compactMap(\.target?.id))
        if let other = targets.first(where: { $0 != content.description }) {
            throw APIError(
                .badRequest, code: "invalid_policy",
                message: "the policy's target \(other) is not the licensed content \(content); leave target out or name \(content)")
        }
        let assignees = Set(policy.permissions.compactMap(\.assignee?.did))
        if let other = assignees.first(where: { $0 != holder.description }) {
            throw APIError(
                .badRequest, code: "invalid_policy",
                message: "the policy grants its permission to \(other), not to the licensee \(holder); name \(holder) or leave assignee out")
        }
        guard let path = try catalog.currentPaths(withManifest: content).first else {
            throw APIError(
                .conflict, code: "content_not_stored",
                message: "no current file holds \(content); a licence gives access to the file that holds it")
        }
        // Records are named by their bytes, to the second: a second licence of the same content
        // to the same holder under the same policy (a second purchase) is dated a second later
        // rather than colliding with the first.
        var time = Date()
        var record = try LedgerRecord(.licence(content: content, to: holder, policy: policy.contentID), by: environment.ownerKey, at: time)
        while try catalog.ledgerRecord(id: record.id) != nil {
            time += 1
            record = try LedgerRecord(.licence(content: content, to: holder, policy: policy.contentID), by: environment.ownerKey, at: time)
        }
        let (token, share) = try catalog.mintShare(
            issuer: environment.ownerKey, audience: holder, capabilities: [Capability(resource: path, right: right)],
            expiresAt: nil, policy: policy)
        try catalog.saveLicence(record, policy: policy, share: share.id, at: Date())
        let index = try await append(record, kept: true)
        return (record, index, token, share)
    }

    /// Revokes a licence this server's owner issued: a revoke record in the log, and the
    /// licence's token revoked, so its next use is refused.
    func revoke(licence id: ContentID) async throws -> (record: LedgerRecord, index: UInt64) {
        guard let kept = try catalog.ledgerRecord(id: id), case .licence = kept.record.statement else {
            throw APIError(.notFound, code: "not_found", message: "no licence record \(id) is kept here")
        }
        guard kept.record.issuer == owner else {
            throw APIError(.forbidden, code: "not_issuer", message: "licence \(id) was issued by \(kept.record.issuer), not here")
        }
        if let earlier = try catalog.ledgerRecords(ofKind: "revoke").first(where: { $0.record.statement == .revoke(record: id) }),
            let index = earlier.logIndex
        {
            return (earlier.record, index)
        }
        let record = try LedgerRecord(.revoke(record: id), by: environment.ownerKey)
        if let share = try catalog.licenceShare(record: id) { try catalog.revokeToken(id: share, at: Date()) }
        let index = try await append(record)
        return (record, index)
    }

    // MARK: Transfers

    /// Transfers `content` to `recipient`: a transfer record naming the last record of the
    /// chain, appended here, then delivered with the whole chain and its proofs to the
    /// recipient's server (a known peer), which checks it and records its acceptance.
    ///
    /// Transferring again to the same recipient, when this owner's transfer to it is the last
    /// record, delivers that transfer again instead (the recipient was down, or refused): the
    /// record stands once logged, so a delivery can always be retried.
    func transfer(
        _ content: ContentID, to recipient: DID
    ) async throws -> (record: LedgerRecord, index: UInt64, refusal: String?) {
        let (chain, indexes) = try self.chain(of: content)
        let last = chain.records[chain.records.count - 1]
        let isRedelivery: Bool
        if case .transfer(_, let to, _) = last.statement, to == recipient, last.issuer == owner {
            isRedelivery = true
        } else {
            isRedelivery = false
        }
        guard isRedelivery || chain.owner == owner else {
            throw APIError(
                .forbidden, code: "not_owner", message: "\(content) is owned by \(chain.owner), not by this server's owner")
        }
        guard recipient != owner else {
            throw APIError(.badRequest, code: "invalid_request", message: "\(content) is already owned here")
        }
        let peer = try catalog.peers().first { $0.did == recipient && !$0.blocked }
        guard let peer else {
            throw APIError(
                .conflict, code: "unknown_peer",
                message: "\(recipient) is not a known peer; add its server with 'haven peer add NAME URL' first")
        }
        var records = chain.records
        var logIndexes = indexes
        if !isRedelivery {
            let record = try LedgerRecord(.transfer(content: content, to: recipient, previous: last.id), by: environment.ownerKey)
            logIndexes[record.id] = try await append(record)
            records.append(record)
        }
        var proofs: [String] = []
        for link in records {
            guard let linkIndex = logIndexes[link.id] else {
                throw APIError(.conflict, code: "unlogged_record", message: "record \(link.id) is kept but not yet in the log")
            }
            proofs.append(try await proof(of: link, index: linkIndex).serialized)
        }
        let transfer = records[records.count - 1]
        let index = logIndexes[transfer.id] ?? 0
        let body = Array(try JSONEncoder().encode(TransferDeliveryBody(proofs: proofs)))
        // The transfer is this owner's signed statement and stands once logged; the recipient's
        // acceptance is its own, so a refusal is reported, not undone.
        do {
            _ = try await environment.exchange.clients.client(for: peer)
                .send(.POST, "/exchange/v1/ledger/transfer", body: body, timeout: .seconds(60))
                .decode(OwnershipListing.self)
            return (transfer, index, nil)
        } catch {
            return (transfer, index, "\(error)")
        }
    }

    /// Accepts a transfer delivered by `sender`: every proof verified against the sender's log,
    /// the chain checked and found to end with a transfer to this server's owner; then the
    /// records are kept and each id is appended to this server's log (its acceptance).
    func accept(_ body: TransferDeliveryBody, from sender: DID) async throws -> OwnershipChain {
        let proofs = try body.proofs.map { text in
            do {
                return try TlogProof(parsing: Array(text.utf8))
            } catch {
                throw APIError(.badRequest, code: "invalid_proof", message: "a proof does not parse: \(error)")
            }
        }
        let chain: OwnershipChain
        do {
            chain = try TransferDelivery(proofs: proofs).accept(from: sender, to: owner)
        } catch {
            throw APIError(.unprocessableContent, code: "transfer_refused", message: "the transfer is refused: \(error)")
        }
        for record in chain.records where try catalog.ledgerRecord(id: record.id)?.logIndex == nil {
            try await append(record)
        }
        return chain
    }
}

/// Body of `POST /exchange/v1/ledger/transfer`: the chain of a transferred content, each record
/// as a `.tlog-proof` from the sender's log, mint first.
struct TransferDeliveryBody: Codable, Sendable {
    let proofs: [String]
}
