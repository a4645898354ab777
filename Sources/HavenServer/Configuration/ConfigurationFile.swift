import Logging
import TOMLKit

/// Reads `haven.toml` into flat `section.key` → text pairs, so that its values go through the
/// same parsers as environment variables. Unknown keys are errors: a typo must not be ignored.
enum ConfigurationFile {
    /// Every key `haven.toml` may hold.
    static let knownKeys: Set<String> = [
        Setting<String>.host.key, Setting<String>.embeddingModel.key, Setting<Int>.port.key, Setting<Logger.Level>.logLevel.key,
        Setting<Int>.maxRequestBody.key, Setting<Int>.maxUpload.key, Setting<Int>.parallel.key, Setting<Int>.context.key,
        Setting<Int>.queueLimit.key, Setting<Int>.threads.key, Setting<DurationText.Value>.keepAlive.key,
        Setting<Int64?>.memoryBudget.key, Setting<String>.publicURL.key, Setting<String>.serverName.key,
        Setting<String>.tlsCertificate.key, Setting<String>.tlsKey.key, Setting<Int>.signatureWindow.key,
        Setting<Int>.signatureSkew.key, Setting<Int>.sessionIdle.key, Setting<Int>.sessionLifetime.key,
        Setting<Int>.witnessInterval.key, Setting<Int>.authFailureLimit.key, Setting<Int>.authFailureWindow.key,
        Setting<Int>.authPenalty.key, Setting<Int>.authPenaltyMax.key, Setting<StoreBackend>.storeBackend.key,
        Setting<String>.s3Endpoint.key, Setting<String>.s3Bucket.key, Setting<String>.s3Region.key,
        Setting<String>.s3CredentialsFile.key, Setting<String>.s3Prefix.key, Setting<Int64>.storeCacheBytes.key,
    ]

    /// What `haven.toml` holds: the flat settings, and the `[[inference.upstream]]` tables.
    struct Contents: Sendable {
        var values: [String: String] = [:]
        var upstreams: [UpstreamConfiguration] = []
    }

    static func parse(_ text: String) throws(ConfigurationError) -> [String: String] {
        try read(text).values
    }

    static func read(_ text: String) throws(ConfigurationError) -> Contents {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .malformedFile(reason: "line \(error.source.begin.line): \(error.description)")
        } catch {
            throw .malformedFile(reason: "\(error)")
        }
        var contents = Contents()
        try flatten(table, prefix: "", into: &contents)
        return contents
    }

    private static func flatten(
        _ table: TOMLTable, prefix: String, into contents: inout Contents
    ) throws(ConfigurationError) {
        for (key, value) in table {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if path == "inference.upstream" {
                contents.upstreams = try UpstreamConfiguration.parse(value)
                continue
            }
            if let nested = value.table {
                try flatten(nested, prefix: path, into: &contents)
                continue
            }
            guard knownKeys.contains(path) else {
                throw .unknownSetting(path)
            }
            if let string = value.string {
                contents.values[path] = string
            } else if let int = value.int {
                contents.values[path] = String(int)
            } else if let bool = value.bool {
                contents.values[path] = String(bool)
            } else {
                contents.values[path] = value.debugDescription
            }
        }
    }
}
