import Foundation
import TOMLKit

/// One `[[inference.upstream]]` table of `haven.toml`: an OpenAI-compatible server (vLLM,
/// llama-server, another Haven) whose models Haven serves as its own.
///
/// ```toml
/// [[inference.upstream]]
/// name = "gpu"
/// base_url = "http://10.0.0.5:8000/v1"
/// api_key_file = "/home/me/.haven/upstream-gpu.key"   # mode 0600; optional
/// models = ["qwen2.5-7b-instruct"]
/// timeout = "60s"                                     # longest wait for the next bytes
/// overflow = true                                     # optional: takes what a full local queue cannot
/// ```
public struct UpstreamConfiguration: Sendable, Equatable {
    /// How Haven names this upstream in logs and errors.
    public var name: String
    /// The URL that `/chat/completions`, `/embeddings` and `/models` are under (OpenAI's `/v1`).
    public var baseURL: String
    /// A file holding the bearer key the upstream wants, mode 0600; `nil` sends none.
    public var apiKeyFile: String?
    /// The model names it serves, as its `/v1/models` lists them; Haven lists them by these names.
    public var models: [String]
    /// Seconds to wait for the upstream's next bytes (or a connection) before giving up.
    public var timeout: Int = 120
    /// Whether it takes the overflow of an installed model of the same name: a request the
    /// local engine's full queue would refuse with 429 goes here instead. Without it, an
    /// installed model of the same name hides this upstream's.
    public var overflow = false

    public init(
        name: String, baseURL: String, apiKeyFile: String? = nil, models: [String], timeout: Int = 120, overflow: Bool = false
    ) {
        self.name = name
        self.baseURL = baseURL
        self.apiKeyFile = apiKeyFile
        self.models = models
        self.timeout = timeout
        self.overflow = overflow
    }

    /// The `haven.toml` text of this upstream, as `haven model add-upstream` appends it.
    public var tomlText: String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var lines = ["[[inference.upstream]]", "name = \(quoted(name))", "base_url = \(quoted(baseURL))"]
        if let apiKeyFile { lines.append("api_key_file = \(quoted(apiKeyFile))") }
        lines.append("models = [" + models.map(quoted).joined(separator: ", ") + "]")
        lines.append("timeout = \"\(timeout)s\"")
        if overflow { lines.append("overflow = true") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The key in `apiKeyFile`, trimmed; `nil` when no file is configured.
    ///
    /// - Throws: ``ConfigurationError`` when the file cannot be read, is empty, or may be read
    ///   by others than its owner (it must be mode 0600 or stricter).
    public func loadKey() throws(ConfigurationError) -> String? {
        guard let path = apiKeyFile else { return nil }
        let setting = "api_key_file of upstream '\(name)'"
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .invalidValue(setting: setting, value: path, expected: "a readable file holding the upstream's API key")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw .invalidValue(
                setting: setting, value: path,
                expected: "a file only its owner may read (mode 0600; run 'chmod 600 \(path)'), not mode \(String(mode, radix: 8))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidValue(setting: setting, value: path, expected: "a readable file holding the upstream's API key")
        }
        let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty, !key.contains(where: \.isNewline) else {
            throw .invalidValue(setting: setting, value: path, expected: "a file holding one API key on one line")
        }
        return key
    }

    /// The upstreams of a parsed `haven.toml`'s `inference.upstream` array, validated.
    static func parse(_ value: any TOMLValueConvertible) throws(ConfigurationError) -> [UpstreamConfiguration] {
        let setting = "inference.upstream in haven.toml"
        guard let array = value.array else {
            throw .invalidValue(setting: setting, value: "\(value)", expected: "an array of tables ([[inference.upstream]])")
        }
        var upstreams: [UpstreamConfiguration] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                throw .invalidValue(setting: setting, value: "\(element)", expected: "tables written [[inference.upstream]]")
            }
            upstreams.append(try parse(table, index: index))
        }
        try validate(upstreams)
        return upstreams
    }

    private static func parse(_ table: TOMLTable, index: Int) throws(ConfigurationError) -> UpstreamConfiguration {
        let label = "inference.upstream[\(index)]"
        for key in table.keys where !["name", "base_url", "api_key_file", "models", "timeout", "overflow"].contains(key) {
            throw .unknownSetting("\(label).\(key)")
        }
        guard let name = table["name"]?.string else {
            throw .invalidValue(setting: "\(label).name", value: "", expected: "a name for this upstream, such as \"gpu\"")
        }
        guard let url = table["base_url"]?.string else {
            throw .invalidValue(setting: "\(label).base_url", value: "", expected: "the upstream's OpenAI base URL, such as \"http://10.0.0.5:8000/v1\"")
        }
        var models: [String] = []
        if let list = table["models"]?.array {
            for model in list {
                guard let text = model.string else {
                    throw .invalidValue(setting: "\(label).models", value: "\(model)", expected: "a list of model names")
                }
                models.append(text)
            }
        } else {
            throw .invalidValue(setting: "\(label).models", value: "", expected: "a list of the model names it serves, such as [\"qwen2.5-7b\"]")
        }
        var timeout = 120
        if let value = table["timeout"] {
            let text = value.string ?? value.int.map(String.init) ?? "\(value)"
            guard let seconds = timeoutSeconds(text) else {
                throw .invalidValue(setting: "\(label).timeout", value: text, expected: "a duration from 1 second to 1 hour, such as \"60s\" or \"5m\"")
            }
            timeout = seconds
        }
        var overflow = false
        if let value = table["overflow"] {
            guard let flag = value.bool else {
                throw .invalidValue(setting: "\(label).overflow", value: "\(value)", expected: "true or false")
            }
            overflow = flag
        }
        let keyFile = table["api_key_file"]?.string
        return try validated(
            UpstreamConfiguration(
                name: name, baseURL: url, apiKeyFile: keyFile, models: models, timeout: timeout, overflow: overflow),
            label: label)
    }

    /// Seconds from a duration's text ("60s", "5m", or a whole number of seconds).
    public static func timeoutSeconds(_ text: String) -> Int? {
        if let seconds = Int(text) { return (1...3600).contains(seconds) ? seconds : nil }
        guard case .duration(let duration) = DurationText.parse(text) else { return nil }
        let seconds = Int(duration.components.seconds)
        return (1...3600).contains(seconds) ? seconds : nil
    }

    /// `upstream` with a normalised URL, or the first thing wrong with it.
    static func validated(_ upstream: UpstreamConfiguration, label: String) throws(ConfigurationError) -> UpstreamConfiguration {
        var upstream = upstream
        let name = upstream.name
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .invalidValue(setting: "\(label).name", value: name, expected: "1 to 64 letters, digits, '-', '_' or '.'")
        }
        let trimmed = upstream.baseURL.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false, components.query == nil,
            components.fragment == nil, components.user == nil, components.password == nil
        else {
            throw .invalidValue(
                setting: "\(label).base_url", value: trimmed,
                expected: "an http(s) URL without credentials or query, such as \"http://10.0.0.5:8000/v1\" (the key goes in api_key_file)")
        }
        upstream.baseURL = trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
        guard !upstream.models.isEmpty else {
            throw .invalidValue(setting: "\(label).models", value: "[]", expected: "at least one model name")
        }
        for model in upstream.models {
            guard (1...128).contains(model.count), !model.contains(where: \.isWhitespace),
                !model.hasPrefix("agent:")
            else {
                throw .invalidValue(setting: "\(label).models", value: model, expected: "model names of 1 to 128 characters without spaces, not starting 'agent:'")
            }
        }
        guard Set(upstream.models).count == upstream.models.count else {
            throw .invalidValue(setting: "\(label).models", value: upstream.models.joined(separator: ", "), expected: "each model named once")
        }
        if let path = upstream.apiKeyFile, !path.hasPrefix("/") {
            throw .invalidValue(setting: "\(label).api_key_file", value: path, expected: "an absolute path")
        }
        return upstream
    }

    /// Names are unique across upstreams (several may serve one model).
    static func validate(_ upstreams: [UpstreamConfiguration]) throws(ConfigurationError) {
        var names = Set<String>()
        for upstream in upstreams where !names.insert(upstream.name).inserted {
            throw .invalidValue(setting: "inference.upstream", value: upstream.name, expected: "each upstream named once")
        }
    }
}

extension UpstreamConfiguration {
    /// The text of `haven.toml` (`current`, or a new one from the template) with `upstream`
    /// appended, after checking that the result is a valid configuration and that its key
    /// file is usable. What `haven model add-upstream` writes.
    ///
    /// - Throws: ``ConfigurationError`` naming the first thing wrong; nothing is written then.
    public static func appending(_ upstream: UpstreamConfiguration, to current: String?) throws(ConfigurationError) -> String {
        let checked = try validated(upstream, label: "the new upstream")
        _ = try checked.loadKey()
        var text = current ?? Configuration.template
        if !text.hasSuffix("\n") { text += "\n" }
        text += "\n" + checked.tomlText
        let resolved = try Configuration.resolve(file: text)
        guard resolved.upstreams.last == checked else {
            throw .invalidValue(setting: "haven.toml", value: checked.name, expected: "a file the new upstream can be appended to")
        }
        return text
    }
}
