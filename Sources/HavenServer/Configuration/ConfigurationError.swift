/// A setting that cannot be used, named so the owner can fix it.
public enum ConfigurationError: Error, Equatable, Sendable {
    /// `haven.toml` is not valid TOML.
    case malformedFile(reason: String)
    /// `haven.toml` holds a key Haven does not know (often a typo).
    case unknownSetting(String)
    /// A value that does not parse; `setting` names where it came from.
    case invalidValue(setting: String, value: String, expected: String)
}

extension ConfigurationError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .malformedFile(let reason): "haven.toml is not valid TOML: \(reason)"
        case .unknownSetting(let key): "haven.toml has an unknown setting '\(key)'"
        case .invalidValue(let setting, let value, let expected): "\(setting) is '\(value)'; expected \(expected)"
        }
    }
}
