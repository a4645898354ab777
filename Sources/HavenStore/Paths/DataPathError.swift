/// Why a path was refused.
public enum DataPathError: Error, Equatable, Sendable {
    case notAbsolute
    case tooLong
    case segmentTooLong
    case emptySegment
    case dotSegment
    case encodedSeparator
    case backslash
    case controlCharacter
    case trailingDotOrSpace
    case invalidPercentEncoding
    case invalidUTF8
    /// A file operation was given a directory path, or the other way round.
    case expectedFile
    case expectedDirectory
}

extension DataPathError: CustomStringConvertible {
    public var description: String {
        let rule: String = switch self {
        case .notAbsolute: "a path starts with '/'"
        case .tooLong: "a path has at most \(DataPath.maximumLength) bytes"
        case .segmentTooLong: "a path segment has at most \(DataPath.maximumSegmentLength) bytes"
        case .emptySegment: "a path has no empty segments ('//')"
        case .dotSegment: "'.' and '..' are not allowed in a path"
        case .encodedSeparator: "'/' may not be encoded inside a segment (%2F)"
        case .backslash: "'\\' is not allowed in a path"
        case .controlCharacter: "control characters and NUL are not allowed in a path"
        case .trailingDotOrSpace: "a path segment may not end in '.' or a space"
        case .invalidPercentEncoding: "'%' must be followed by two hex digits"
        case .invalidUTF8: "a path must be valid UTF-8"
        case .expectedFile: "this needs a file path, not a directory (no trailing '/')"
        case .expectedDirectory: "this needs a directory path (ending in '/')"
        }
        return "invalid path: \(rule)"
    }
}
