import ArgumentParser
import Foundation
import HavenAccess

/// A licence policy file named on the command line (`--policy FILE`, `--licence FILE`):
/// an ODRL 2.2 JSON-LD document in Haven's subset, checked here so a mistake is reported
/// before anything is sent (the server checks it again).
enum PolicyFile {
    /// The document's text; a file that cannot be read or is outside the subset is a usage
    /// error naming the option, the file and the term.
    static func read(_ path: String, option: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(option): cannot read '\(path)'")
        }
        guard data.count <= LicencePolicy.maximumSize else {
            throw ValidationError("\(option): '\(path)' is \(data.count) bytes; a policy is at most \(LicencePolicy.maximumSize)")
        }
        do {
            _ = try LicencePolicy(parsing: Array(data))
        } catch {
            throw ValidationError("\(option): '\(path)' is not a licence Haven can enforce: \(error)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
