import Foundation
import HavenStore
import Testing

@testable import HavenKnowledge

@Suite struct SearchHitTests {
    @Test func encodesWithItsPath() throws {
        let hit = SearchHit(path: try DataPath(parsing: "/notes/a.md"), version: 2, passage: 0, score: 0.5, snippet: "s", text: "t")
        let json = String(decoding: try JSONEncoder().encode(hit), as: UTF8.self)
        #expect(json.contains(#""path":"\/notes\/a.md""#))
    }
}
