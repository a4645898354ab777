import HavenAccess
import HavenLedger

/// Commits the head of the audit log to the ledger, and reads back the newest head committed.
///
/// The audit log's hash chain shows any entry altered or removed from the middle, but not the
/// newest ones removed from the end. Its head, appended to the witnessed log (an entry
/// `haven-audit-head/v1 <sequence> <hash>`), cannot be taken back unseen, so `haven audit
/// verify` finds entries removed up to the last anchor.
struct AuditAnchoring: Sendable {
    let audit: AuditLog
    let ledger: LedgerLog
    let appender: LedgerAppender

    /// The newest head committed to the ledger.
    func latest() async throws -> AuditAnchor? {
        try await ledger.lastEntry(withPrefix: AuditAnchor.entryPrefix).flatMap { AuditAnchor(entry: $0.entry) }
    }

    /// Commits the current head unless it is already the newest anchor; returns the head
    /// anchored now, or `nil` when there was nothing new.
    @discardableResult
    func anchor() async throws -> AuditAnchor? {
        guard let head = try audit.head(), try await latest() != head else { return nil }
        _ = try await appender.append(head.entry)
        return head
    }
}
