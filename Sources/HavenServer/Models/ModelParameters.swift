import Foundation
import HavenInference

/// Generation defaults a model made with `/api/create` carries (Ollama's `PARAMETER` lines),
/// or the `options` of one Ollama request. Every value is optional: a request's own value wins
/// over the model's, and the model's over the server's defaults.
public struct ModelParameters: Codable, Sendable, Equatable {
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var minP: Double?
    public var seed: Int?
    /// Most tokens to generate; negative means no limit (Ollama's `-1` and `-2`).
    public var numPredict: Int?
    /// Tokens of context the answer may use, prompt included; at most the server's context.
    public var numCtx: Int?
    public var stop: [String]?
    public var repeatPenalty: Double?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case temperature, seed, stop
        case topP = "top_p"
        case topK = "top_k"
        case minP = "min_p"
        case numPredict = "num_predict"
        case numCtx = "num_ctx"
        case repeatPenalty = "repeat_penalty"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
    }

    /// The names `PARAMETER` and `parameters` accept, in Ollama's spelling.
    public static let supportedNames = CodingKeys.allCases.map(\.rawValue).sorted()

    /// Whether nothing is set.
    public var isEmpty: Bool { self == ModelParameters() }

    /// These values, with `defaults` filling in what is unset.
    public func filling(from defaults: ModelParameters) -> ModelParameters {
        var merged = self
        merged.temperature = temperature ?? defaults.temperature
        merged.topP = topP ?? defaults.topP
        merged.topK = topK ?? defaults.topK
        merged.minP = minP ?? defaults.minP
        merged.seed = seed ?? defaults.seed
        merged.numPredict = numPredict ?? defaults.numPredict
        merged.numCtx = numCtx ?? defaults.numCtx
        merged.stop = stop ?? defaults.stop
        merged.repeatPenalty = repeatPenalty ?? defaults.repeatPenalty
        merged.presencePenalty = presencePenalty ?? defaults.presencePenalty
        merged.frequencyPenalty = frequencyPenalty ?? defaults.frequencyPenalty
        return merged
    }

    /// Sets one parameter from its text in a Modelfile (`PARAMETER name value`); `stop` adds a
    /// stop string each time it appears.
    public mutating func set(_ name: String, text: String) throws(ModelRecipeError) {
        guard let key = CodingKeys(rawValue: name) else { throw .unknownParameter(name) }
        func number() throws(ModelRecipeError) -> Double {
            guard let value = Double(text), value.isFinite else { throw .invalidParameterValue(name: name, value: text) }
            return value
        }
        func integer() throws(ModelRecipeError) -> Int {
            guard let value = Int(text) else { throw .invalidParameterValue(name: name, value: text) }
            return value
        }
        switch key {
        case .temperature: temperature = try number()
        case .topP: topP = try number()
        case .topK: topK = try integer()
        case .minP: minP = try number()
        case .seed: seed = try integer()
        case .numPredict: numPredict = try integer()
        case .numCtx: numCtx = try integer()
        case .stop: stop = (stop ?? []) + [text]
        case .repeatPenalty: repeatPenalty = try number()
        case .presencePenalty: presencePenalty = try number()
        case .frequencyPenalty: frequencyPenalty = try number()
        }
    }

    /// Parameters from the JSON object of `/api/create`'s `parameters` (values as Ollama's
    /// client sends them: numbers, and `stop` as a string or a list).
    public init(json: [String: JSONValue]) throws(ModelRecipeError) {
        for name in json.keys.sorted() {
            let value = json[name]!
            switch value {
            case .null:
                continue
            case .number(let number):
                guard CodingKeys(rawValue: name) != .stop else { throw .invalidParameterValue(name: name, value: "\(number)") }
                try set(name, text: number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number))
            case .string(let text) where name == CodingKeys.stop.rawValue:
                try set(name, text: text)
            case .array(let items) where name == CodingKeys.stop.rawValue:
                for item in items {
                    guard let text = item.stringValue else { throw .invalidParameterValue(name: name, value: "\(item)") }
                    try set(name, text: text)
                }
            default:
                guard CodingKeys(rawValue: name) != nil else { throw .unknownParameter(name) }
                throw .invalidParameterValue(name: name, value: value.stringValue ?? "\(value)")
            }
        }
    }

    /// Checks the values as a request carrying them would be checked, so a model is never made
    /// with defaults every request would then refuse.
    public func validate() throws(ModelRecipeError) {
        do {
            _ = try InferenceService.sampling(
                temperature: temperature, topP: topP, topK: topK, minP: minP, seed: seed,
                presencePenalty: presencePenalty, frequencyPenalty: frequencyPenalty, repeatPenalty: repeatPenalty)
        } catch {
            throw .invalidParameters("\(error)")
        }
        if let numCtx, numCtx < 1 { throw .invalidParameters("num_ctx must be at least 1") }
        if stop?.contains("") == true { throw .invalidParameters("a stop string must not be empty") }
    }

    /// `name value` lines as Ollama's `/api/show` lists them (`stop` once per string).
    public var listing: String {
        var lines: [String] = []
        func add(_ name: CodingKeys, _ value: (some CustomStringConvertible)?) {
            if let value { lines.append(name.rawValue.padding(toLength: 30, withPad: " ", startingAt: 0) + "\(value)") }
        }
        add(.frequencyPenalty, frequencyPenalty)
        add(.minP, minP)
        add(.numCtx, numCtx)
        add(.numPredict, numPredict)
        add(.presencePenalty, presencePenalty)
        add(.repeatPenalty, repeatPenalty)
        add(.seed, seed)
        for text in stop ?? [] { add(.stop, Self.quoted(text)) }
        add(.temperature, temperature)
        add(.topK, topK)
        add(.topP, topP)
        return lines.joined(separator: "\n")
    }

    /// `PARAMETER` lines that recreate these values in a Modelfile.
    public var modelfileLines: [String] {
        listing.split(separator: "\n").map { line in
            let name = line.prefix(while: { $0 != " " })
            return "PARAMETER \(name) " + line.dropFirst(name.count).drop(while: { $0 == " " })
        }
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
