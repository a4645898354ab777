/// A photo a `describe` job will describe: its path and the content it had when the job was
/// started (a photo changed since is left, not described under its old name).
struct DescribePhoto: Codable, Sendable, Equatable {
    var path: String
    /// The manifest CID of the version the caller was allowed to read.
    var content: String
}
