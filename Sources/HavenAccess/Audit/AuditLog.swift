import Foundation
import GRDB
import HavenStore

extension CatalogMigration {
    /// The hash-chained audit log.
    public static let audit = CatalogMigration("v6-audit") { db in
        try db.execute(
            sql: """
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY,
                    time_ms INTEGER NOT NULL,
                    principal TEXT NOT NULL,
                    action TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    allowed INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    basis TEXT,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX audit_by_principal ON audit(principal, seq);
                CREATE INDEX audit_by_resource ON audit(resource, seq);
                """)
    }
}

/// Appends every decision on data to the catalog's hash-chained log, and checks the chain.
///
/// Appending reads the last entry's hash and inserts the next entry in one write transaction,
/// so concurrent decisions still form a single chain. ``verify()`` recomputes every hash and
/// reports the first entry that was altered, removed or reordered.
public struct AuditLog: Sendable {
    let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// Records `decision` on `request`.
    @discardableResult
    public func record(_ request: AccessRequest, _ decision: AccessDecision, at date: Date = Date()) throws -> AuditEntry {
        try record(
            principal: request.principal.description, action: request.right.rawValue, resource: request.resource,
            allowed: decision.allowed, reason: decision.reason, basis: decision.basis, at: date)
    }

    /// Records a decision that was made before a principal could be established (a capability
    /// token that failed verification, a malformed path).
    @discardableResult
    public func record(
        principal: String, action: String, resource: String, allowed: Bool, reason: String, basis: String? = nil,
        at date: Date = Date()
    ) throws -> AuditEntry {
        try catalog.write { db in
            let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            let entry = AuditEntry(
                sequence: (last?["seq"] as Int64? ?? 0) + 1, time: date, principal: principal, action: action,
                resource: resource, allowed: allowed, reason: reason, basis: basis,
                previousHash: last?["hash"] ?? AuditEntry.genesisHash)
            try db.execute(
                sql: """
                    INSERT INTO audit (seq, time_ms, principal, action, resource, allowed, reason, basis, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.sequence, AuditEntry.milliseconds(entry.time), entry.principal, entry.action, entry.resource,
                    entry.allowed, catalog.stored(entry.reason, in: .auditReason), entry.basis, entry.previousHash,
                    entry.hash,
                ])
            return entry
        }
    }

    /// Entries, newest first: those on `resource` or below it, by `principal`, only allowed or
    /// only denied ones when `allowed` says which, up to `limit`.
    public func entries(
        resource: String? = nil, principal: String? = nil, allowed: Bool? = nil, limit: Int = 100
    ) throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let resource {
            conditions.append("(resource = ? OR substr(resource, 1, length(?)) = ?)")
            let directory = resource.hasSuffix("/") ? resource : resource + "/"
            arguments += [resource, directory, directory]
        }
        if let principal {
            conditions.append("principal = ?")
            arguments += [principal]
        }
        if let allowed {
            conditions.append("allowed = ?")
            arguments += [allowed]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try catalog.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit \(filter) ORDER BY seq DESC LIMIT ?", arguments: arguments + [limit])
                .map(entry)
        }
    }

    /// The newest entry's sequence number and hash: what is anchored in the ledger.
    public func head() throws -> AuditAnchor? {
        try catalog.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").map {
                AuditAnchor(sequence: $0["seq"], hash: $0["hash"])
            }
        }
    }

    /// Walks the whole log in order, recomputing every hash, then checks it against `anchor`,
    /// the newest head committed to the ledger: the anchored entry must still be there,
    /// unchanged, or entries were removed.
    public func verify(anchor: AuditAnchor?) throws -> AuditVerification {
        let chain = try verify()
        guard chain.isIntact, let anchor else { return chain.anchored(anchor?.sequence) }
        guard anchor.sequence <= chain.entries else {
            return AuditVerification(
                entries: chain.entries, anchored: anchor.sequence,
                problem: .init(
                    sequence: chain.entries + 1,
                    reason: "entries \(chain.entries + 1) to \(anchor.sequence) were removed: the ledger anchored entry "
                        + "\(anchor.sequence), but the log ends at \(chain.entries)"))
        }
        let hash = try catalog.read { db in
            try String.fetchOne(db, sql: "SELECT hash FROM audit WHERE seq = ?", arguments: [anchor.sequence])
        }
        guard hash == anchor.hash else {
            return AuditVerification(
                entries: chain.entries, anchored: anchor.sequence,
                problem: .init(
                    sequence: anchor.sequence,
                    reason: "entry \(anchor.sequence) is not the one the ledger anchored: the log was rewritten from there"))
        }
        return chain.anchored(anchor.sequence)
    }

    /// Walks the whole log in order, recomputing every hash.
    public func verify() throws -> AuditVerification {
        try catalog.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY seq")
            var expectedSequence: Int64 = 1
            var previousHash = AuditEntry.genesisHash
            while let row = try cursor.next() {
                guard let entry = try? entry(row) else {
                    let sequence: Int64 = row["seq"]
                    return AuditVerification(
                        entries: expectedSequence - 1,
                        problem: .init(sequence: sequence, reason: "entry \(sequence) was altered (its sealed reason does not open)"))
                }
                if entry.sequence != expectedSequence {
                    return AuditVerification(
                        entries: expectedSequence - 1,
                        problem: .init(
                            sequence: expectedSequence,
                            reason: "entry \(expectedSequence) is missing (the next one is \(entry.sequence))"))
                }
                guard entry.previousHash == previousHash else {
                    return AuditVerification(
                        entries: expectedSequence - 1,
                        problem: .init(sequence: entry.sequence, reason: "entry \(entry.sequence) does not follow the one before it"))
                }
                guard entry.isIntact else {
                    return AuditVerification(
                        entries: expectedSequence - 1,
                        problem: .init(sequence: entry.sequence, reason: "entry \(entry.sequence) was altered"))
                }
                previousHash = entry.hash
                expectedSequence += 1
            }
            return AuditVerification(entries: expectedSequence - 1, problem: nil)
        }
    }

    private func entry(_ row: Row) throws -> AuditEntry {
        AuditEntry(
            stored: row["seq"], milliseconds: row["time_ms"], principal: row["principal"], action: row["action"],
            resource: row["resource"], allowed: row["allowed"], reason: try catalog.text(row["reason"], of: .auditReason),
            basis: row["basis"], previousHash: row["previous_hash"], hash: row["hash"])
    }
}

extension SealedColumn {
    /// Why a decision was made: it may quote a search query or a tool's arguments. The hash
    /// chain covers the reason itself, so sealing it leaves every hash as it was.
    public static let auditReason = SealedColumn("audit.reason")
}

extension CatalogSealingStep {
    /// Seals the reason of every audit entry.
    public static let auditReasons = CatalogSealingStep("audit reasons") { db, catalog in
        let rows = try Row.fetchAll(db, sql: "SELECT seq, reason FROM audit WHERE typeof(reason) = 'text'")
        let update = try db.makeStatement(sql: "UPDATE audit SET reason = ? WHERE seq = ?")
        for row in rows {
            let reason: String = row["reason"]
            try update.execute(arguments: [catalog.stored(reason, in: .auditReason), row["seq"] as Int64])
        }
        return rows.count
    }
}
