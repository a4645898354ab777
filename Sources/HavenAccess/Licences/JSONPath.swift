/// Where in a policy document a value sits, written as a JSONPath (`$.permission[0].action`),
/// so that every refusal points at the exact term that caused it.
struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    private enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    private var components: [Component] = []

    /// The document itself: `$`.
    static let root = JSONPath()

    func appending(_ key: String) -> JSONPath {
        var path = self
        path.components.append(.key(key))
        return path
    }

    func appending(_ index: Int) -> JSONPath {
        var path = self
        path.components.append(.index(index))
        return path
    }

    var description: String {
        var text = "$"
        for component in components {
            switch component {
            case .key(let key) where Self.isPlainName(key):
                text += "." + key
            case .key(let key):
                text += "['" + key.replacingOccurrences(of: "'", with: "\\'") + "']"
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    private static func isPlainName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic && first.isASCII else {
            return false
        }
        return key.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}
