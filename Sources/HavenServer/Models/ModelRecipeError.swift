/// Why a model cannot be made, copied, deleted or fetched through Ollama's model routes.
public enum ModelRecipeError: Error, Equatable, Sendable {
    /// A Modelfile command Haven does not carry out (`TEMPLATE`, `ADAPTER`, `MESSAGE`, …).
    case unsupportedCommand(String)
    /// A field of `/api/create`'s JSON body Haven does not carry out (`template`, `files`, …).
    case unsupportedField(String)
    case unknownParameter(String)
    case invalidParameterValue(name: String, value: String)
    case invalidParameters(String)
    /// A Modelfile line that cannot be read.
    case malformed(line: Int, reason: String)
    /// Neither a `FROM` line nor a `from` field.
    case missingSource
    /// `FROM` names no installed model and is not an absolute path.
    case sourceNotFound(String)
    /// Models other models are made from cannot be deleted before them.
    case baseInUse(model: String, derived: [String])
    /// The name belongs to a model with weights of its own, which is never overwritten.
    case nameTaken(String)
    /// An adapter's base must be a model with weights of its own, not one made from another.
    case adapterBaseNotWeights(String)
    /// `ADAPTER` without a `FROM` naming an installed model to apply it to.
    case adapterNeedsModel
    /// `/api/pull` and `/api/push` (`action` is `pull` or `push`): Haven reaches no model registry.
    case noRegistry(action: String, model: String)
}

extension ModelRecipeError: CustomStringConvertible {
    static let supportedCommands = "Haven's Modelfiles support FROM, ADAPTER, SYSTEM and PARAMETER"

    public var description: String {
        switch self {
        case .unsupportedCommand(let command):
            "the Modelfile command \(command) is not supported; \(Self.supportedCommands) "
                + "(a model always answers with its own chat template)"
        case .unsupportedField(let field):
            "'\(field)' is not supported by /api/create; give 'from', 'system' and 'parameters' "
                + "(or a 'modelfile' with FROM, SYSTEM and PARAMETER)"
        case .unknownParameter(let name):
            "PARAMETER '\(name)' is not supported; use one of " + ModelParameters.supportedNames.joined(separator: ", ")
        case .invalidParameterValue(let name, let value):
            "PARAMETER \(name) cannot be '\(value)'"
                + (name == "stop" ? "; give a string" : "; give a number")
        case .invalidParameters(let reason):
            "the model's parameters are not valid: \(reason)"
        case .malformed(let line, let reason):
            "Modelfile line \(line): \(reason)"
        case .missingSource:
            "say what the model is made from: FROM an installed model's name or an absolute path to a GGUF file"
        case .sourceNotFound(let source):
            "FROM '\(source)' is neither an installed model nor an absolute path to a GGUF file; "
                + "see 'haven model list', or add a file with 'haven model add FILE'"
        case .baseInUse(let model, let derived):
            "model '\(model)' cannot be deleted while other models are made from it: "
                + derived.map { "'\($0)'" }.joined(separator: ", ") + "; delete those first"
        case .nameTaken(let name):
            "a model named '\(name)' is already installed with weights of its own; delete it first or choose another name"
        case .adapterBaseNotWeights(let base):
            "model '\(base)' is made from another model; install the adapter on the model with the weights it was trained on"
        case .adapterNeedsModel:
            "ADAPTER applies to an installed model: write FROM with its name (not a file path), e.g. FROM smollm2"
        case .noRegistry(let action, let model):
            "Haven does not \(action) models: it reaches no model registry, so '\(model)' was not "
                + (action == "push" ? "uploaded. " : "downloaded. ")
                + "To add a model, put its GGUF file on the server's machine and run 'haven model add FILE' "
                + "(or /api/create with FROM /path/to/model.gguf)"
        }
    }
}

extension ModelRecipeError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .unsupportedCommand, .unsupportedField:
            APIError(.badRequest, code: "unsupported_modelfile", message: description)
        case .unknownParameter, .invalidParameterValue, .invalidParameters, .malformed, .missingSource, .adapterNeedsModel,
            .adapterBaseNotWeights:
            APIError(.badRequest, code: "invalid_modelfile", message: description)
        case .sourceNotFound:
            APIError(.notFound, code: "model_not_found", message: description)
        case .baseInUse:
            APIError(.conflict, code: "model_in_use", message: description)
        case .nameTaken:
            APIError(.conflict, code: "model_name_taken", message: description)
        case .noRegistry:
            APIError(.badRequest, code: "no_model_registry", message: description)
        }
    }
}
