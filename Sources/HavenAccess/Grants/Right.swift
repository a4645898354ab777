/// What a grant or a capability may allow on a resource.
///
/// Rights on data paths: `read` a file, `list` a directory, `write` (create or replace),
/// `append` (create new files only, never replace), `delete`, `share` (delegate what one holds
/// to someone else), `ai` (an AI answering this grantee may use the data) and `train` (a training
/// job this grantee starts may learn from the data: an adapter made from it). On models: `infer`.
/// On the server itself (the resource `metrics`): `metrics`, reading `GET /metrics`.
public enum Right: String, Codable, Sendable, CaseIterable, Comparable {
    case read, list, write, append, delete, share, ai, infer, metrics, train

    public static func < (lhs: Right, rhs: Right) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses a comma-separated list such as `read,list`, naming the rights on offer when one
    /// is unknown.
    public static func parseList(_ text: String) throws(AccessError) -> [Right] {
        var rights: Set<Right> = []
        for item in text.split(separator: ",") {
            let name = item.trimmingCharacters(in: .whitespaces)
            guard let right = Right(rawValue: name) else { throw .unknownRight(name) }
            rights.insert(right)
        }
        guard !rights.isEmpty else { throw .noRights }
        return rights.sorted()
    }
}
