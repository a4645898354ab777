import HavenAccess

extension LicencePolicy {
    /// Reads the policy document a request carries; a document outside Haven's ODRL subset is
    /// a 400 naming the term and where it is, and nothing is changed.
    init(document: String) throws {
        do {
            try self.init(parsing: Array(document.utf8))
        } catch {
            throw APIError(.badRequest, code: "invalid_policy", message: "the licence policy is refused: \(error)")
        }
    }
}
