/// The witness side of c2sp.org/tlog-witness, as a pure decision: given an add-checkpoint
/// request, the state the witness holds for the log, its cosigner key and the time, it decides
/// the answer and the new state. No I/O: the HTTP layer parses the body, looks the log up by the
/// checkpoint's origin, calls `addCheckpoint`, persists `updated` atomically with the lookup
/// (the spec's race between two requests), and answers.
///
/// The checks run in the spec's order: unknown origin 404, no valid signature by the log's key
/// 403, old size above the checkpoint size 400, old size not the latest cosigned size 409 (body:
/// that size), then 422 for a size-0 checkpoint without the empty root, a proof with old size 0,
/// a consistency proof that does not verify, or the same size with another root. The spec gives
/// a split view no status of its own; it is a 422 that carries `SplitViewEvidence`.
public enum Witness {
    /// Decides the answer to `request` for `log` (nil when the witness does not know the
    /// checkpoint's origin). Throws only for the witness's own faults: a `timestamp` that is 0
    /// or above 2^63 - 1, or a signing failure.
    public static func addCheckpoint(
        _ request: AddCheckpointRequest, to log: WitnessedLog?, cosigner: CosignerKey, timestamp: UInt64
    ) throws(WitnessError) -> WitnessOutcome {
        // tlog-witness: "The cosignature MUST NOT omit the timestamp, i.e. the timestamp MUST NOT be zero."
        guard timestamp > 0, timestamp <= Cosignature.maximumTimestamp else { throw .invalidTimestamp(timestamp) }
        let checkpoint = request.checkpoint

        guard let log, NoteSyntax.sameBytes(log.origin, checkpoint.origin) else {
            return refuse(.notFound, "the witness does not know the log \"\(checkpoint.origin)\"")
        }
        let verified: VerifiedNote
        do {
            verified = try request.note.verified(by: [log.verifierKey])
        } catch {
            return refuse(.forbidden, "the checkpoint for \(log.origin) is not signed by its key: \(error)")
        }
        // AddCheckpointRequest already refuses this while parsing; kept so the order is the spec's.
        guard request.oldSize <= checkpoint.size else {
            return refuse(.badRequest, "old size \(request.oldSize) is larger than the checkpoint size \(checkpoint.size)")
        }
        let latestSize = log.latestSize
        guard request.oldSize == latestSize else {
            return .refused(
                .conflict, body: WitnessStatus.conflictBody(latestSize: latestSize), evidence: nil,
                reason: "old size \(request.oldSize) is not the latest cosigned size \(latestSize) of \(log.origin)")
        }
        guard checkpoint.size > 0 || checkpoint.rootHash == MerkleHash.emptyTree.bytes else {
            return refuse(.unprocessableEntity, "a size-0 checkpoint of \(log.origin) does not have the empty tree's root")
        }
        guard request.oldSize > 0 || request.consistencyProof.isEmpty else {
            return refuse(.unprocessableEntity, "old size 0 needs an empty consistency proof, got \(request.consistencyProof.count) hashes")
        }
        if let latest = log.latest, request.oldSize > 0,
            let refusal = inconsistency(of: request, with: latest, note: request.note, origin: log.origin)
        {
            return refusal
        }

        let cosignature: Cosignature
        do {
            cosignature = try cosigner.cosign(checkpoint, timestamp: timestamp)
        } catch {
            throw .cosigningFailed(error)
        }
        let accepted = try WitnessedCheckpoint.keepingVerifiedSignatures(of: verified, checkpoint: checkpoint)
            .adding(cosignature)
        return .cosigned(cosignature, updated: log.advanced(to: accepted))
    }

    /// The 422 refusal when `request` (whose old size is `latest`'s size, above 0) does not
    /// extend `latest`; nil when it does.
    private static func inconsistency(
        of request: AddCheckpointRequest, with latest: WitnessedCheckpoint, note: SignedNote, origin: String
    ) -> WitnessOutcome? {
        let old = latest.checkpoint
        let new = request.checkpoint
        // Every field was checked to be 32 bytes when parsed.
        let oldRoot = try! MerkleHash(bytes: old.rootHash)
        let newRoot = try! MerkleHash(bytes: new.rootHash)
        let proof = request.consistencyProof.map { try! MerkleHash(bytes: $0) }

        if old.size == new.size, oldRoot != newRoot {
            let evidence = SplitViewEvidence(
                origin: origin, witnessed: latest.note, conflicting: note, path: [], reason: .differentRootsAtSameSize)
            return .refused(
                .unprocessableEntity, body: nil, evidence: evidence,
                reason: "split view: \(origin) signed root \(newRoot) for size \(new.size), but the witness holds \(oldRoot)")
        }
        do {
            try MerkleVerifier.verifyConsistency(
                oldSize: old.size, newSize: new.size, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
            return nil
        } catch {
            // A proof that fails proves nothing by itself, unless it reproduces the new root: then
            // it shows the new tree's prefix has another root than the one the witness holds.
            // (For a power-of-two old size the proof leaves that prefix root out, so no evidence.)
            var evidence: SplitViewEvidence?
            if old.size & (old.size - 1) != 0,
                let implied = SplitViewEvidence.impliedRoot(ofSize: old.size, inTreeOfSize: new.size, root: newRoot, path: proof),
                implied != oldRoot
            {
                evidence = SplitViewEvidence(
                    origin: origin, witnessed: latest.note, conflicting: note, path: proof, reason: .prefixMismatch)
            }
            return .refused(
                .unprocessableEntity, body: nil, evidence: evidence,
                reason: "the consistency proof from \(old.size) to \(new.size) of \(origin) does not verify: \(error)")
        }
    }

    private static func refuse(_ status: WitnessStatus, _ reason: String) -> WitnessOutcome {
        .refused(status, body: nil, evidence: nil, reason: reason)
    }
}
