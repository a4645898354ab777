import Foundation
import HavenIdentity
import HavenStore

/// Who owns a piece of content, proven by records: its mint, then each transfer, every one
/// signed by the owner of the moment and naming the record before it.
///
/// Building a chain checks it whole. Exactly one mint; each transfer issued by the then owner,
/// naming the previous record, no earlier than it; no ownership given away twice (a fork is
/// refused, not resolved); no record about other content. Signatures were checked when each
/// record was parsed.
public struct OwnershipChain: Sendable {
    public let content: ContentID
    /// The mint first, then the transfers in order.
    public let records: [LedgerRecord]

    /// The content's creator (the mint's issuer).
    public var creator: DID { records[0].issuer }

    /// The current owner: the recipient of the last transfer, or the creator.
    public var owner: DID { owner(after: records.count - 1) }

    public init(content: ContentID, records unordered: [LedgerRecord]) throws(LedgerRecordError) {
        let mints = unordered.filter { if case .mint = $0.statement { true } else { false } }
        guard mints.count == 1, let mint = mints.first else {
            throw .brokenChain(record: content.description, reason: "a chain needs exactly one mint; there are \(mints.count)")
        }
        for record in unordered where record.statement.content != content {
            throw .brokenChain(record: record.id.description, reason: "it is about other content")
        }
        var transfers: [ContentID: LedgerRecord] = [:]
        for record in unordered {
            guard case .transfer(_, _, let previous) = record.statement else { continue }
            if transfers[previous] != nil {
                throw .brokenChain(record: record.id.description, reason: "record \(previous) was transferred twice")
            }
            transfers[previous] = record
        }
        var chain = [mint]
        var owner = mint.issuer
        while let next = transfers.removeValue(forKey: chain[chain.count - 1].id) {
            let previous = chain[chain.count - 1]
            guard next.issuer == owner else {
                throw .brokenChain(record: next.id.description, reason: "it is signed by \(next.issuer), not by the owner \(owner)")
            }
            guard next.time >= previous.time else {
                throw .brokenChain(record: next.id.description, reason: "it is dated before the record it follows")
            }
            guard case .transfer(_, let to, _) = next.statement else { break }
            owner = to
            chain.append(next)
        }
        if let stray = transfers.values.first {
            throw .brokenChain(record: stray.id.description, reason: "it follows no record of this chain")
        }
        for record in unordered {
            if case .licence = record.statement { throw .brokenChain(record: record.id.description, reason: "a licence is not part of an ownership chain") }
            if case .revoke = record.statement { throw .brokenChain(record: record.id.description, reason: "a revocation is not part of an ownership chain") }
        }
        self.content = content
        self.records = chain
    }

    /// Who owned the content at `time` (`nil` before the mint).
    public func owner(at time: Date) -> DID? {
        guard time >= records[0].time else { return nil }
        let index = records.lastIndex { $0.time <= time } ?? 0
        return owner(after: index)
    }

    /// Whether `licence` was issued by the owner of its content at the time it was issued.
    public func authorizes(_ licence: LedgerRecord) -> Bool {
        guard case .licence(let licensed, _, _) = licence.statement, licensed == content else { return false }
        return owner(at: licence.time) == licence.issuer
    }

    private func owner(after index: Int) -> DID {
        guard index > 0, case .transfer(_, let to, _) = records[index].statement else { return records[0].issuer }
        return to
    }
}
