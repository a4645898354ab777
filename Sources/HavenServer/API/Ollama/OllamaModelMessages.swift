import HavenInference
import Hummingbird

/// Body of `POST /api/create`: the modern fields (`model`, `from`, `system`, `parameters`) or
/// a `modelfile` (older clients; `name` for `model`). Fields Haven does not carry out
/// (`template`, `files`, `adapters`, `license`, `messages`, `quantize`) are refused by name.
public struct OllamaCreateRequest: Decodable, Sendable {
    public let model: String
    public let from: String?
    public let modelfile: String?
    public let system: String?
    public let parameters: [String: JSONValue]?
    public let stream: Bool?
    /// The first field present that Haven does not carry out, if any.
    public let unsupportedField: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, name, from, modelfile, system, parameters, stream
        case template, files, adapters, license, messages, quantize, path
    }

    static let unsupported: [CodingKeys] = [.adapters, .files, .license, .messages, .path, .quantize, .template]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let model = try container.decodeIfPresent(String.self, forKey: .model)
            ?? container.decodeIfPresent(String.self, forKey: .name)
        else {
            throw DecodingError.keyNotFound(
                CodingKeys.model, .init(codingPath: [], debugDescription: "name the model to create in 'model'"))
        }
        self.model = model
        from = try container.decodeIfPresent(String.self, forKey: .from)
        modelfile = try container.decodeIfPresent(String.self, forKey: .modelfile)
        system = try container.decodeIfPresent(String.self, forKey: .system)
        parameters = try container.decodeIfPresent([String: JSONValue].self, forKey: .parameters)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        unsupportedField = try Self.unsupported.first { key in
            guard container.contains(key) else { return false }
            return try !container.decodeNil(forKey: key)
        }?.stringValue
    }

    /// What to make: the Modelfile's recipe, with the JSON fields taking precedence.
    public func recipe() throws(ModelRecipeError) -> ModelRecipe {
        if let field = unsupportedField { throw .unsupportedField(field) }
        let source = try from.map { text throws(ModelRecipeError) in try ModelRecipe.Source(text) }
        var recipe: ModelRecipe
        if let modelfile {
            recipe = try ModelRecipe(modelfile: modelfile, defaultSource: source)
            if let source { recipe.source = source }
        } else {
            guard let source else { throw .missingSource }
            recipe = ModelRecipe(source: source)
        }
        if let system { recipe.system = system }
        if let parameters {
            recipe.parameters = try ModelParameters(json: parameters).filling(from: recipe.parameters)
        }
        return recipe
    }
}

/// Body of `POST /api/copy`.
public struct OllamaCopyRequest: Decodable, Sendable {
    public let source: String
    public let destination: String
}

/// Body of `DELETE /api/delete`, `POST /api/pull` and `POST /api/push`: a model's name
/// (`name` in older clients).
public struct OllamaModelNameRequest: Decodable, Sendable {
    public let model: String

    enum CodingKeys: String, CodingKey {
        case model, name
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let model = try container.decodeIfPresent(String.self, forKey: .model)
            ?? container.decodeIfPresent(String.self, forKey: .name)
        else {
            throw DecodingError.keyNotFound(CodingKeys.model, .init(codingPath: [], debugDescription: "name the model in 'model'"))
        }
        self.model = model
    }
}

/// A progress line of `/api/create` (the last says `success`).
public struct OllamaStatus: Encodable, Sendable, ResponseEncodable {
    public let status: String
}
