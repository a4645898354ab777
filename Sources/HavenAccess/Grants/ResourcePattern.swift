/// How a granted resource covers a requested one.
///
/// A resource is a data path (`/photos/2026/beach.jpg`, a directory `/photos/`) or a model
/// (`models/NAME`, all models `models/`). A granted resource covers itself and, as a directory,
/// everything beneath it: `/notes/` and `/notes` both cover `/notes/a.txt`, and neither covers
/// `/notes2/`. `/` covers every path. Comparison is on the UTF-8 bytes of normalised paths, so
/// it is exact and fast.
public enum ResourcePattern {
    /// Whether a grant or capability on `granted` reaches `requested`.
    @inlinable
    public static func covers(_ granted: String, _ requested: String) -> Bool {
        let g = granted.utf8
        let r = requested.utf8
        guard r.starts(with: g) else { return false }
        if r.count == g.count { return true }
        // A directory prefix (`/notes/`) covers what is below it; a bare name (`/notes`) covers
        // what is below it only across a `/` boundary, never `/notes2`.
        if g.last == UInt8(ascii: "/") { return true }
        return r[r.index(r.startIndex, offsetBy: g.count)] == UInt8(ascii: "/")
    }
}
