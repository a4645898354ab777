import Foundation
import Testing

@testable import HavenIdentity

@Suite struct PrincipalTests {
    @Test(arguments: ["owner", "app:laptop", "app:my-phone.2", "peer:did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th"])
    func roundTripsThroughItsStringForm(text: String) throws {
        let principal = try Principal(parsing: text)
        #expect(principal.description == text)
        let json = try JSONEncoder().encode([principal])
        #expect(try JSONDecoder().decode([Principal].self, from: json) == [principal])
    }

    @Test func readsABareDIDAsThePeerItNames() throws {
        let did = "did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th"
        #expect(try Principal(parsing: did) == Principal(parsing: "peer:" + did))
        #expect(try Principal(parsing: did).description == "peer:" + did)
    }

    @Test(arguments: ["", "root", "peer:", "peer:alice", "peer:did:key:zzz", "app:", "app:Laptop", "app:-x", "app:a b", "app:a/b", "app:" + String(repeating: "a", count: 65), "did:key:zzz"])
    func rejectsInvalidNames(text: String) {
        #expect(throws: IdentityError.self) { try Principal(parsing: text) }
    }
}
