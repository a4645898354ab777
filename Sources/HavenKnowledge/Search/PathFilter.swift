import Foundation
import HavenAccess
import HavenIdentity

/// Which paths a search may draw passages from, worked out before anything is ranked: the
/// prefixes the principal holds `right` on now (every path for the owner), narrowed to an
/// agent's scopes. A passage outside it is never a candidate, so it cannot influence scores,
/// snippets or counts.
public struct PathFilter: Sendable, Equatable {
    /// `nil`: every path. Otherwise the prefixes (``ResourcePattern`` semantics) of which a
    /// path must match at least one.
    public let allowed: [String]?
    /// `nil`: no narrowing. Otherwise a path must also match one of these.
    public let scopes: [String]?

    public init(allowed: [String]?, scopes: [String]?) {
        self.allowed = allowed
        self.scopes = scopes
    }

    /// The filter for `principal` using `right` (read for a person or app searching, ai for
    /// an agent answering for them), from their current grants or verified capability.
    public static func `for`(
        _ principal: Principal, right: Right, grants: [Grant], capability: VerifiedCapability?, scopes: [String]?,
        at now: Date
    ) -> PathFilter {
        if let capability {
            let prefixes = capability.capabilities.filter { $0.right == right }.map(\.resource)
            return PathFilter(allowed: prefixes, scopes: scopes)
        }
        if principal == .owner { return PathFilter(allowed: nil, scopes: scopes) }
        let prefixes = grants.filter { grant in
            grant.resource.hasPrefix("/") && grant.allows(principal, right, on: grant.resource, at: now)
        }.map(\.resource)
        return PathFilter(allowed: prefixes, scopes: scopes)
    }

    /// Whether nothing at all can match (no grant): the search is answered empty at once.
    public var isEmpty: Bool {
        allowed?.isEmpty == true || scopes?.isEmpty == true
    }

    /// Whether a passage from `path` may be a candidate.
    public func allows(_ path: String) -> Bool {
        if let allowed, !allowed.contains(where: { ResourcePattern.covers($0, path) }) { return false }
        if let scopes, !scopes.contains(where: { ResourcePattern.covers($0, path) }) { return false }
        return true
    }

    /// The same test as SQL over a `path` column, with its arguments: each prefix `p` becomes
    /// `path = p OR substr(path, 1, length(q)) = q` where `q` is `p` as a directory.
    func sql(column: String) -> (clause: String, arguments: [String]) {
        var clauses: [String] = []
        var arguments: [String] = []
        for group in [allowed, scopes].compactMap({ $0 }) {
            var alternatives: [String] = []
            for prefix in group {
                let directory = prefix.hasSuffix("/") ? prefix : prefix + "/"
                alternatives.append("\(column) = ? OR substr(\(column), 1, \(directory.utf8.count)) = ?")
                arguments += [prefix, directory]
            }
            clauses.append("(" + (alternatives.isEmpty ? "0" : alternatives.joined(separator: " OR ")) + ")")
        }
        return (clauses.isEmpty ? "1" : clauses.joined(separator: " AND "), arguments)
    }
}
