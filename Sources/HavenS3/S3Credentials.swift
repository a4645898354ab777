import Foundation

/// An access key for an S3-compatible service: its id and its secret.
///
/// The secret never appears in a description, a log line or an error message; only the key
/// id does, so a user can tell which key a refusal was about.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    public let accessKeyID: String
    let secretAccessKey: String

    public init(accessKeyID: String, secretAccessKey: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    public var description: String { "S3 access key \(accessKeyID)" }

    /// Reads a credentials file in the AWS shared-credentials format: its `[default]` section
    /// (or its only section, or lines before any section) giving `aws_access_key_id` and
    /// `aws_secret_access_key`. The file must be readable by its owner only (mode 0600 or
    /// stricter), since it holds a secret.
    public static func load(from path: String) throws(S3Error) -> S3Credentials {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .credentials(path: path, reason: "it cannot be read (\(String(cString: strerror(errno))))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw .credentials(
                path: path,
                reason: "it is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .credentials(path: path, reason: "it cannot be read as UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses the text of a credentials file (see ``load(from:)``).
    public static func parse(_ text: String, path: String = "the credentials file") throws(S3Error) -> S3Credentials {
        var sections: [String: [String: String]] = [:]
        var order: [String] = []
        var current = ""
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw .credentials(path: path, reason: "a line is neither `[section]` nor `name = value`")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if sections[current] == nil { order.append(current) }
            sections[current, default: [:]][name] = value
        }
        let chosen = sections["default"] ?? sections[""] ?? (order.count == 1 ? sections[order[0]] : nil)
        guard let chosen else {
            throw .credentials(path: path, reason: "it has no [default] section")
        }
        guard let id = chosen["aws_access_key_id"], !id.isEmpty,
            let secret = chosen["aws_secret_access_key"], !secret.isEmpty
        else {
            throw .credentials(path: path, reason: "it needs aws_access_key_id and aws_secret_access_key")
        }
        return S3Credentials(accessKeyID: id, secretAccessKey: secret)
    }
}
