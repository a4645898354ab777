import HavenIdentity
import HavenStore

/// What a server receives when ownership of content is transferred to its owner: the whole
/// chain of mint and transfers, each record as a `.tlog-proof` from the sending server's log,
/// and the checks the receiver makes before it records its acceptance.
///
/// Pure: `accept` verifies every proof against the sender's log key (its owner's did:key),
/// checks the chain as a whole (``OwnershipChain``) and that it ends with a transfer from the
/// sender to `receiver`. Nothing is trusted before all of that holds.
public struct TransferDelivery: Sendable {
    /// The most records one delivery may carry.
    public static let maximumRecords = 64

    /// The proofs, one per record, in chain order (mint first).
    public let proofs: [TlogProof]

    public init(proofs: [TlogProof]) {
        self.proofs = proofs
    }

    /// The verifier key of the log a server keeps: named by its owner's did:key, signed by its key.
    public static func logKey(of server: DID) throws -> NoteVerifierKey {
        try NoteVerifierKey(name: server.description, publicKey: server.publicKey)
    }

    /// Verifies the delivery from `sender` to `receiver` and returns the chain it proves.
    public func accept(from sender: DID, to receiver: DID) throws -> OwnershipChain {
        guard !proofs.isEmpty, proofs.count <= Self.maximumRecords else {
            throw LedgerRecordError.malformed("a transfer carries 1 to \(Self.maximumRecords) records, not \(proofs.count)")
        }
        let key = try Self.logKey(of: sender)
        let records = try proofs.map { try RecordProof.verify($0, logKey: key).record }
        guard let content = records[0].statement.content else {
            throw LedgerRecordError.malformed("the first record of a transfer must be the content's mint")
        }
        let chain = try OwnershipChain(content: content, records: records)
        guard case .transfer(_, let to, _) = chain.records.last?.statement, chain.records.last?.issuer == sender else {
            throw LedgerRecordError.malformed("the chain does not end with a transfer signed by \(sender)")
        }
        guard to == receiver else {
            throw LedgerRecordError.malformed("the transfer is to \(to), not to this server's owner \(receiver)")
        }
        return chain
    }
}
