import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenLedger
import HavenStore
import Logging

/// Witnessing, both ways, for one server.
///
/// As a witness (`haven witness add PEER`): this server fetches the peer's checkpoint and the
/// tiles it needs, checks that the new tree extends the last one it accepted (a consistency
/// proof it computes itself), and keeps the new checkpoint. It answers the peer's C2SP
/// tlog-witness `add-checkpoint` requests (`POST /ledger/witness/add-checkpoint`) with its
/// cosignature (C2SP tlog-cosignature) under the same rule. Two checkpoints of one log that do
/// not fit together — a split view or a rollback — are kept as evidence and audited.
///
/// As a log: every witness registered here gets each new checkpoint with a consistency proof
/// from the size it last cosigned; the cosignatures are published with the checkpoint
/// (`/ledger/checkpoint`), and `/ledger/policy` lists the witnesses (C2SP tlog-policy).
///
/// One actor, so the checks and answers about one log never interleave.
actor WitnessService {
    /// The largest add-checkpoint body accepted: a checkpoint, a proof of at most 63 hashes.
    static let maximumRequest = 16 << 10
    /// The largest checkpoint fetched from a peer.
    static let maximumCheckpoint = 16 << 10

    let catalog: Catalog
    let ledger: LedgerLog
    let audit: AuditLog
    let clients: PeerClients
    let cosigner: CosignerKey
    private let logger = Logger(label: "haven.witness")
    private var pushing = false
    private var pushAgain = false

    init(catalog: Catalog, ownerKey: IdentityKey, ledger: LedgerLog, audit: AuditLog, clients: PeerClients) throws {
        self.catalog = catalog
        self.ledger = ledger
        self.audit = audit
        self.clients = clients
        cosigner = try CosignerKey(name: ownerKey.did.description, privateKey: ownerKey.privateKey)
    }

    /// The cosigner key of a server's witness: named by its owner's did:key.
    static func cosignerKey(of server: DID) throws -> NoteVerifierKey {
        try NoteVerifierKey(name: server.description, type: .ed25519CosignatureV1, publicKey: server.publicKey)
    }

    // MARK: Witnessing other logs

    /// Starts witnessing `peer`'s log: its current checkpoint is fetched, checked against its
    /// tiles and kept (trust on first use, or a consistency check against the last one kept),
    /// then the peer is asked to send its checkpoints here for cosigning.
    /// A peer that does not accept this server as its witness is still checked (pull), but
    /// sends nothing to cosign; the report says so.
    func watch(_ peer: Peer) async throws -> WitnessCheckReport {
        let key = try TransferDelivery.logKey(of: peer.did)
        try catalog.saveWitnessedLog(
            origin: peer.did.description, url: peer.url, vkey: key.serialized, latestNote: nil, at: Date())
        let report = try await check(origin: peer.did.description)
        let body = Array(try JSONEncoder().encode(WitnessRegistration(cosignerKey: cosigner.verifierKey.serialized)))
        do {
            let answer = try await clients.client(for: peer)
                .send(.POST, "/exchange/v1/ledger/witness", body: body, timeout: .seconds(30))
            guard (200..<300).contains(answer.status) else { throw answer.refusal }
            return report
        } catch {
            return WitnessCheckReport(
                origin: report.origin, outcome: report.outcome, size: report.size,
                detail: "checked, but \(peer.name) did not take this server as its witness, so it will not send "
                    + "checkpoints to cosign: \(error)")
        }
    }

    /// Checks every witnessed log now.
    func checkAll() async -> [WitnessCheckReport] {
        var reports: [WitnessCheckReport] = []
        for row in (try? catalog.witnessedLogs()) ?? [] {
            do {
                reports.append(try await check(origin: row.origin))
            } catch {
                reports.append(WitnessCheckReport(origin: row.origin, outcome: "unreachable", size: nil, detail: "\(error)"))
            }
        }
        return reports
    }

    /// Fetches the log's checkpoint and the tiles needed, and checks the new tree against the
    /// last one accepted.
    func check(origin: String) async throws -> WitnessCheckReport {
        guard let row = try catalog.witnessedLog(origin: origin) else {
            throw APIError(.notFound, code: "not_found", message: "\(origin) is not witnessed here")
        }
        let log = try row.witnessedLog()
        let client = clients.client(url: row.url)
        let fetched = try await client.send(.GET, "/ledger/checkpoint", timeout: .seconds(30))
        if fetched.status == 404, log.latest == nil {
            try catalog.markWitnessedLogChecked(origin: origin, at: Date())
            return WitnessCheckReport(origin: origin, outcome: "empty", size: 0, detail: "the log has no checkpoint yet")
        }
        guard fetched.status == 200, fetched.body.count <= Self.maximumCheckpoint else { throw fetched.refusal }
        let note = try SignedNote(parsing: fetched.body)
        let checkpoint = try Checkpoint(parsing: note.text)
        var tiles: [TileCoordinate: [UInt8]] = [:]
        for tile in ConsistencyCheck.tilesNeeded(for: checkpoint, against: log) {
            let answer = try await client.send(.GET, "/ledger/" + tile.path, timeout: .seconds(30))
            guard answer.status == 200 else { throw answer.refusal }
            tiles[tile] = answer.body
        }
        switch try ConsistencyCheck.check(latest: log, fetchedNote: fetched.body, tiles: tiles) {
        case .consistent(let updated):
            if let latest = updated.latest, latest.checkpoint.size >= log.latestSize {
                try catalog.updateWitnessedLog(
                    origin: origin, latestNote: latest.note.serialized, replacing: row.latestNote, at: Date())
            }
            return WitnessCheckReport(origin: origin, outcome: "consistent", size: updated.latestSize, detail: nil)
        case .splitView(let evidence):
            try record(evidence, kind: "split_view")
            return WitnessCheckReport(origin: origin, outcome: "split_view", size: checkpoint.size, detail: evidence.reason.description)
        case .rolledBack(let fetched, let latest, _):
            let evidence = RollbackEvidence(
                origin: origin, witnessedNote: latest.latest?.note.serialized ?? "", conflictingNote: fetched.note.serialized)
            try record(kind: "rollback", origin: origin, json: try evidence.json(), reason: "the log went back from size \(latest.latestSize) to \(fetched.checkpoint.size)")
            return WitnessCheckReport(origin: origin, outcome: "rollback", size: fetched.checkpoint.size, detail: nil)
        }
    }

    /// Answers a tlog-witness add-checkpoint request: the status, and the body to send.
    func addCheckpoint(_ body: [UInt8]) throws -> (status: Int, body: String) {
        let request: AddCheckpointRequest
        do {
            request = try AddCheckpointRequest(parsing: body)
        } catch {
            return (WitnessOutcome.malformedRequest(error).status.code, "")
        }
        let row = try catalog.witnessedLog(origin: request.checkpoint.origin)
        let log = try row?.witnessedLog()
        let outcome = try Witness.addCheckpoint(
            request, to: log, cosigner: cosigner, timestamp: UInt64(Date().timeIntervalSince1970))
        switch outcome {
        case .cosigned(_, let updated):
            if let latest = updated.latest {
                try catalog.updateWitnessedLog(
                    origin: updated.origin, latestNote: latest.note.serialized, replacing: row?.latestNote, at: Date())
            }
        case .refused(_, _, let evidence, _):
            if let evidence { try record(evidence, kind: "split_view") }
        }
        // Refusals of requests the log did not sign (400, 403) are not audited: anyone can send
        // those. Everything else is the log's own signed word.
        if log != nil, outcome.status != .badRequest, outcome.status != .forbidden {
            try audit.record(
                principal: "peer:" + request.checkpoint.origin, action: "ledger.add_checkpoint", resource: request.checkpoint.origin,
                allowed: outcome.status == .success, reason: outcome.auditSentence)
        }
        return (outcome.status.code, outcome.responseBody)
    }

    private func record(_ evidence: SplitViewEvidence, kind: String) throws {
        try record(
            kind: kind, origin: evidence.origin, json: String(decoding: try evidence.jsonData(), as: UTF8.self),
            reason: evidence.reason.description)
    }

    private func record(kind: String, origin: String, json: String, reason: String) throws {
        guard try catalog.saveSplitView(origin: origin, kind: kind, evidence: json, at: Date()) else { return }
        logger.error("a witnessed log contradicted itself", metadata: ["ledger.origin": "\(origin)", "ledger.evidence": "\(kind)"])
        try audit.record(
            principal: "peer:" + origin, action: "ledger.\(kind)", resource: origin, allowed: false,
            reason: "evidence kept: \(reason); see 'haven witness evidence'")
    }

    // MARK: This server's log and its witnesses

    /// Registers a peer's server as a witness of this log, then sends it the current checkpoint.
    func register(_ peer: Peer, cosignerKey text: String) async throws {
        let key = try NoteVerifierKey(parsing: text)
        guard key == (try Self.cosignerKey(of: peer.did)) else {
            throw APIError(
                .badRequest, code: "invalid_request", message: "the cosigner key must be the peer's own key, named by its did:key")
        }
        try catalog.saveLogWitness(name: peer.did.description, url: peer.url, vkey: text, at: Date())
        checkpointChanged()
    }

    /// Sends the new checkpoint to the witnesses in the background; pushes that overlap are
    /// folded into one more round.
    nonisolated func checkpointChanged() {
        Task { await self.pushInBackground() }
    }

    private func pushInBackground() async {
        guard !pushing else {
            pushAgain = true
            return
        }
        pushing = true
        repeat {
            pushAgain = false
            await push()
        } while pushAgain
        pushing = false
    }

    /// Sends the latest checkpoint to every witness and publishes it with the cosignatures
    /// returned. A witness that answers 409 is sent it again from the size it says it has.
    func push() async {
        guard let note = await ledger.checkpoint, let checkpoint = try? Checkpoint(parsing: note.text),
            let witnesses = try? catalog.logWitnesses(), !witnesses.isEmpty
        else { return }
        var cosignatures: [Cosignature] = []
        for witness in witnesses {
            do {
                if witness.cosignedSize == checkpoint.size, let line = witness.cosignature,
                    let kept = try? Self.cosignature(line, over: note, witnessKey: NoteVerifierKey(parsing: witness.vkey))
                {
                    cosignatures.append(kept)
                    continue
                }
                let key = try NoteVerifierKey(parsing: witness.vkey)
                let returned = try await send(note, checkpoint, to: witness, key: key)
                cosignatures.append(contentsOf: returned)
                try catalog.recordWitnessAnswer(
                    name: witness.name, size: checkpoint.size,
                    cosignature: NoteSignature.serializeLines(returned.map(\.noteSignature)), error: nil)
            } catch {
                logger.warning("a witness did not cosign", metadata: ["witness": "\(witness.name)", "error": "\(error)"])
                try? catalog.recordWitnessAnswer(name: witness.name, size: nil, cosignature: nil, error: "\(error)")
            }
        }
        guard !cosignatures.isEmpty, let cosigned = try? CosignedCheckpoint.assemble(logNote: note, cosignatures: cosignatures)
        else { return }
        _ = try? await ledger.publish(cosigned: cosigned)
    }

    private func send(_ note: SignedNote, _ checkpoint: Checkpoint, to witness: LogWitnessRow, key: NoteVerifierKey) async throws -> [Cosignature] {
        var oldSize = min(witness.cosignedSize, checkpoint.size)
        for _ in 0..<2 {
            let proof = oldSize == 0 ? [] : try await ledger.consistencyProof(oldSize: oldSize, newSize: checkpoint.size)
            let request = try AddCheckpointRequest(oldSize: oldSize, consistencyProof: proof.map(\.bytes), note: note)
            let answer = try await clients.client(url: witness.url)
                .send(.POST, "/ledger/witness/add-checkpoint", body: Array(request.serialized.utf8), contentType: "text/plain", timeout: .seconds(30))
            if answer.status == 409, let size = try? WitnessStatus.parseConflictBody(answer.body), size != oldSize, size <= checkpoint.size {
                oldSize = size
                continue
            }
            guard answer.status == 200 else {
                throw APIError(.badGateway, code: "witness_refused", message: "the witness answered \(answer.status): \(String(decoding: answer.body.prefix(200), as: UTF8.self))")
            }
            return try CosignedCheckpoint.cosignatures(fromResponse: answer.body, for: note, witnessKey: key)
        }
        throw APIError(.badGateway, code: "witness_refused", message: "the witness kept answering 409")
    }

    private static func cosignature(_ lines: String, over note: SignedNote, witnessKey: NoteVerifierKey) throws -> Cosignature? {
        try CosignedCheckpoint.cosignatures(fromResponse: Array(lines.utf8), for: note, witnessKey: witnessKey).last
    }

    /// This log's witness policy (C2SP tlog-policy): the log, its witnesses, and a quorum of
    /// any one of them (none while it has no witness).
    func policy(publicURL: String?) throws -> String {
        let witnesses = try catalog.logWitnesses()
        var lines = ["log \(ledger.verifierKey.serialized)" + (publicURL.map { " " + $0 } ?? "")]
        for (index, witness) in witnesses.enumerated() {
            lines.append("witness w\(index + 1) \(witness.vkey) \(witness.url)")
        }
        if witnesses.isEmpty {
            lines.append("quorum none")
        } else {
            lines.append("group witnesses any " + witnesses.indices.map { "w\($0 + 1)" }.joined(separator: " "))
            lines.append("quorum witnesses")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Body of `POST /exchange/v1/ledger/witness`: the asking server will witness this log and
/// cosign with this key.
struct WitnessRegistration: Codable, Sendable {
    let cosignerKey: String

    enum CodingKeys: String, CodingKey {
        case cosignerKey = "cosigner_key"
    }
}

/// What one check of a witnessed log found.
public struct WitnessCheckReport: Codable, Sendable {
    public let origin: String
    /// `consistent`, `empty`, `split_view`, `rollback` or `unreachable`.
    public let outcome: String
    public let size: UInt64?
    public let detail: String?
}

/// Evidence that a log served a smaller tree than one this witness had accepted.
struct RollbackEvidence: Codable {
    let origin: String
    let witnessedNote: String
    let conflictingNote: String

    enum CodingKeys: String, CodingKey {
        case origin
        case witnessedNote = "witnessed_note"
        case conflictingNote = "conflicting_note"
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
