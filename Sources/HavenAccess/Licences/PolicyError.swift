/// Why a licence policy (or a request to evaluate against one) was refused.
///
/// Haven enforces a strict subset of ODRL 2.2: anything outside it is refused when the licence
/// is created, never ignored, so a licence can only mean what Haven actually enforces. Every
/// case that concerns a document carries the JSONPath of the offending value.
public enum PolicyError: Error, Equatable, Sendable {
    /// The document is larger than ``LicencePolicy/maximumSize``.
    case tooLarge(size: Int, limit: Int)
    /// Objects and arrays nest deeper than the limit at `path`.
    case tooDeep(path: String, limit: Int)
    /// The bytes are not one well-formed JSON value (RFC 8259) in UTF-8.
    case malformedJSON(offset: Int, reason: String)
    /// An object at `path` names the same member twice.
    case duplicateKey(String, path: String)
    /// A property, class, action, operand, operator or value that the subset does not enforce.
    case unsupportedTerm(String, path: String, supported: [String])
    /// A property the subset (or ODRL) requires is absent.
    case missingProperty(String, path: String)
    /// A value of a supported property is of the wrong shape or out of range.
    case invalidValue(path: String, reason: String)
    /// A property is given on the policy and again on one of its rules.
    case conflictingProperty(String, path: String)

    /// The JSONPath the error points at, when it concerns a place in a document.
    public var path: String? {
        switch self {
        case .tooLarge, .malformedJSON: nil
        case .tooDeep(let path, _), .duplicateKey(_, let path), .unsupportedTerm(_, let path, _),
             .missingProperty(_, let path), .invalidValue(let path, _), .conflictingProperty(_, let path):
            path
        }
    }

    /// The refused term, for ``unsupportedTerm(_:path:supported:)``.
    public var unsupportedTerm: String? {
        if case .unsupportedTerm(let term, _, _) = self { return term }
        return nil
    }
}

extension PolicyError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tooLarge(let size, let limit):
            return "a licence policy is at most \(limit) bytes; this one is \(size) bytes"
        case .tooDeep(let path, let limit):
            return "the licence policy nests deeper than \(limit) levels at \(path); flatten its constraints"
        case .malformedJSON(let offset, let reason):
            return "the licence policy is not valid JSON (byte \(offset)): \(reason)"
        case .duplicateKey(let key, let path):
            return "\"\(key)\" is given twice in the object at \(path); give each property once"
        case .unsupportedTerm(let term, let path, let supported):
            let hint = supported.isEmpty ? "" : " (supported here: \(supported.joined(separator: ", ")))"
            return "'\(term)' at \(path) is outside Haven's ODRL 2.2 subset\(hint); the licence is refused rather than enforced without it"
        case .missingProperty(let name, let path):
            return "\(path) needs \(name)"
        case .invalidValue(let path, let reason):
            return "the value at \(path) is invalid: \(reason)"
        case .conflictingProperty(let name, let path):
            return "\(name) is given on the policy and again at \(path); give it in one place"
        }
    }
}
