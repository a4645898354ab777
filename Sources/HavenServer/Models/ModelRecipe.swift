import Foundation

/// What a model made with `/api/create` is: the weights it runs (an installed model, or a GGUF
/// file on the server's machine), its system prompt and its generation defaults.
public struct ModelRecipe: Sendable, Equatable {
    /// Where the weights come from.
    public enum Source: Sendable, Equatable {
        /// An installed model, by name; the new model shares its file.
        case model(String)
        /// An absolute path to a GGUF file, installed like `haven model add`.
        case file(String)

        /// `/…` is a file; `./x.gguf` or `~/x.gguf` is refused (the server cannot know the
        /// client's directory); anything else names an installed model.
        public init(_ text: String) throws(ModelRecipeError) {
            let text = text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { throw .missingSource }
            if text.hasPrefix("/") {
                self = .file(text)
            } else if text.hasPrefix(".") || text.hasPrefix("~") || text.contains("/") || text.lowercased().hasSuffix(".gguf") {
                throw .sourceNotFound(text)
            } else {
                self = .model(text)
            }
        }
    }

    public var source: Source
    /// A LoRA adapter (absolute path to its GGUF) to apply on the source model: the new model
    /// is installed as `haven model add-adapter` installs one.
    public var adapter: String?
    public var system: String?
    public var parameters: ModelParameters

    public init(
        source: Source, adapter: String? = nil, system: String? = nil, parameters: ModelParameters = ModelParameters()
    ) {
        self.source = source
        self.adapter = adapter
        self.system = system
        self.parameters = parameters
    }

    /// Reads Ollama's Modelfile: `FROM`, `ADAPTER` (an absolute path to a LoRA GGUF), `SYSTEM`
    /// and `PARAMETER` are carried out; any other
    /// command is refused by name. Values may be quoted, or span lines between `"""`. Without
    /// a `FROM` line, `defaultSource` is used.
    public init(modelfile: String, defaultSource: Source? = nil) throws(ModelRecipeError) {
        var source: Source?
        var system: String?
        var adapter: String?
        var parameters = ModelParameters()
        var lines = modelfile.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }[...]
        var number = 0
        while let line = lines.popFirst() {
            number += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let command = trimmed.prefix(while: { !$0.isWhitespace }).uppercased()
            var rest = String(trimmed.dropFirst(command.count).drop(while: \.isWhitespace))
            let start = number
            if rest.hasPrefix("\"\"\"") {
                rest.removeFirst(3)
                while !rest.contains("\"\"\"") {
                    guard let next = lines.popFirst() else {
                        throw .malformed(line: start, reason: "a value opened with \"\"\" is never closed")
                    }
                    number += 1
                    rest += "\n" + next
                }
                let close = rest.range(of: "\"\"\"")!
                guard rest[close.upperBound...].trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw .malformed(line: number, reason: "nothing may follow the closing \"\"\"")
                }
                rest = String(rest[..<close.lowerBound])
            }
            switch command {
            case "FROM":
                guard source == nil else { throw .malformed(line: start, reason: "a Modelfile has one FROM line") }
                source = try Source(Self.unquoted(rest))
            case "ADAPTER":
                guard adapter == nil else { throw .malformed(line: start, reason: "Haven applies one ADAPTER per model") }
                let path = Self.unquoted(rest).trimmingCharacters(in: .whitespaces)
                guard path.hasPrefix("/") else {
                    throw .malformed(
                        line: start, reason: "ADAPTER takes an absolute path to a LoRA GGUF on the server's machine")
                }
                adapter = path
            case "SYSTEM":
                system = Self.unquoted(rest)
            case "PARAMETER":
                let name = rest.prefix(while: { !$0.isWhitespace })
                let value = rest.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, !value.isEmpty else {
                    throw .malformed(line: start, reason: "write PARAMETER NAME VALUE, e.g. PARAMETER temperature 0.2")
                }
                try parameters.set(name.lowercased(), text: Self.unquoted(value))
            default:
                guard command.allSatisfy(\.isLetter) else {
                    throw .malformed(line: start, reason: "expected a command such as FROM, SYSTEM or PARAMETER")
                }
                throw .unsupportedCommand(command)
            }
        }
        guard let source = source ?? defaultSource else { throw .missingSource }
        self.init(source: source, adapter: adapter, system: system, parameters: parameters)
    }

    /// A value without its surrounding double quotes (and with `\"` and `\\` unescaped).
    static func unquoted(_ value: String) -> String {
        guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return value }
        var out = ""
        var escaped = false
        for character in value.dropFirst().dropLast() {
            if escaped {
                out.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// The recipe as a Modelfile, for `/api/show`: `FROM` names the base (or the file).
    public static func modelfile(
        from base: String, adapter: String? = nil, system: String?, parameters: ModelParameters
    ) -> String {
        var lines = ["FROM \(base)"]
        if let adapter { lines.append("ADAPTER \(adapter)") }
        if let system { lines.append("SYSTEM \"\"\"\(system)\"\"\"") }
        lines += parameters.modelfileLines
        return lines.joined(separator: "\n") + "\n"
    }
}
