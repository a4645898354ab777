import Foundation
import HavenStore

/// An `If-Match` or `If-None-Match` header: `*`, or a list of entity tags. Haven's entity tag
/// for a file is its manifest id, quoted.
enum EntityTagList: Equatable {
    case any
    case tags([String])

    static func parse(_ header: String?) -> EntityTagList? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" { return .any }
        let tags = trimmed.split(separator: ",").map { item -> String in
            var tag = item.trimmingCharacters(in: .whitespaces)
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") { tag = String(tag.dropFirst().dropLast()) }
            return tag
        }
        return .tags(tags)
    }

    /// The entity tag of a manifest.
    static func tag(for id: ContentID) -> String {
        "\"\(id)\""
    }

    func matches(_ id: ContentID?) -> Bool {
        guard let id else { return false }
        switch self {
        case .any: return true
        case .tags(let tags): return tags.contains(id.description)
        }
    }

    /// The manifest ids named, for a write precondition; tags that are not ids can never match.
    var contentIDs: [ContentID] {
        guard case .tags(let tags) = self else { return [] }
        return tags.compactMap { try? ContentID(parsing: $0) }
    }
}
