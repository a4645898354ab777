import Foundation
import GRDB
import HavenStore

extension Catalog {
    /// Decides and counts in one write transaction: `decide` reads the uses counted so far,
    /// and the uses an allowed decision must count (``AccessDecision/countedUses``) are added
    /// before the transaction commits. Two requests racing for a licence's last use are
    /// therefore decided one after the other, and only one is allowed.
    public func decideCounting(at now: Date, _ decide: (AccessPolicy.Uses) -> AccessDecision) throws -> AccessDecision {
        try write { db in
            var failure: (any Error)?
            let decision = decide { basis in
                do {
                    return try Self.licenceUses(basis: basis, db)
                } catch {
                    failure = error
                    return [:]
                }
            }
            if let failure { throw failure }
            for use in decision.countedUses {
                try db.execute(
                    sql: """
                        INSERT INTO licence_use (basis, rule, uses, last_used_at) VALUES (?, ?, 1, ?)
                        ON CONFLICT (basis, rule) DO UPDATE SET uses = uses + 1, last_used_at = excluded.last_used_at
                        """,
                    arguments: [use.basis, use.key.value, now])
            }
            return decision
        }
    }

    /// The uses counted under one grant or token, by the permission's counting key.
    public func licenceUses(basis: String) throws -> [LicenceRuleKey: Int] {
        try read { db in try Self.licenceUses(basis: basis, db) }
    }

    private static func licenceUses(basis: String, _ db: Database) throws -> [LicenceRuleKey: Int] {
        var uses: [LicenceRuleKey: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT rule, uses FROM licence_use WHERE basis = ?", arguments: [basis]) {
            uses[LicenceRuleKey(row["rule"])] = row["uses"]
        }
        return uses
    }
}
