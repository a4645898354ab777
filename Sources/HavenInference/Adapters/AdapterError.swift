/// Why a LoRA adapter cannot be used with a base model.
public enum AdapterError: Error, Equatable, Sendable {
    case notAnAdapter(reason: String)
    case architectureMismatch(adapter: String, base: String)
    case unexpectedTensor(String)
    case incompletePair(String)
    case tensorNotInBase(String)
    case shapeMismatch(tensor: String, reason: String)
    /// llama.cpp refused it after the checks passed.
    case loadFailed(path: String)
    case invalidScale(Double)
}

extension AdapterError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notAnAdapter(let reason): "this is not a LoRA adapter: \(reason)"
        case .architectureMismatch(let adapter, let base):
            "the adapter is for architecture '\(adapter)' but the base model is '\(base)'; pass the --base it was trained on"
        case .unexpectedTensor(let name):
            "the adapter holds tensor '\(name)', which is neither a lora_a/lora_b half nor a norm vector"
        case .incompletePair(let name): "the adapter's tensor pair for '\(name)' is missing its lora_a or lora_b half"
        case .tensorNotInBase(let name):
            "the adapter changes '\(name)', which the base model does not have; is it for another base model?"
        case .shapeMismatch(let tensor, let reason):
            "the adapter's shapes for '\(tensor)' do not fit the base model (\(reason)); is it for another base model?"
        case .loadFailed(let path): "llama.cpp could not load the adapter \(path)"
        case .invalidScale(let scale): "an adapter's scale must be a finite number from 0 to 4, not \(scale)"
        }
    }
}
