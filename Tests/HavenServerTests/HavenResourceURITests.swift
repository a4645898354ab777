import Testing

@testable import HavenServer

@Suite struct HavenResourceURITests {
    @Test(arguments: [
        ("/notes/a.md", "haven:///notes/a.md"),
        ("/notes/my idea.md", "haven:///notes/my%20idea.md"),
        ("/café/100%.txt", "haven:///caf%C3%A9/100%25.txt"),
        ("/a?b#c", "haven:///a%3Fb%23c"),
    ])
    func aPathBecomesAURIAndComesBackUnchanged(path: String, uri: String) throws {
        #expect(HavenResourceURI(path: path).description == uri)
        #expect(try HavenResourceURI(parsing: uri).path == path)
    }

    @Test(arguments: ["file:///etc/passwd", "haven://host/notes/a.md", "haven:notes/a.md", "haven:///bad%zz", ""])
    func anythingButAHavenPathIsRefused(uri: String) {
        #expect(throws: (any Error).self) { try HavenResourceURI(parsing: uri) }
    }
}
