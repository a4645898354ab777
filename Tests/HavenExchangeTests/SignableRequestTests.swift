import Testing

@testable import HavenExchange

@Suite struct SignableRequestTests {
    @Test func looksUpFieldsCaseInsensitivelyAndJoinsRepeatedLines() {
        let request = SignableRequest(
            method: "GET", targetURI: "https://a.example/",
            fields: [
                (name: "Accept", value: "text/plain "), (name: "Host", value: "a.example"),
                (name: "accept", value: " text/html"),
            ])
        #expect(request.field("ACCEPT") == "text/plain, text/html")
        #expect(request.field("host") == "a.example")
        #expect(request.field("content-digest") == nil)
    }

    @Test func keepsAnEmptyFieldAsEmptyRatherThanAbsent() {
        let request = SignableRequest(
            method: "GET", targetURI: "https://a.example/", fields: [(name: "X-Empty", value: "  ")])
        #expect(request.field("x-empty") == "")
    }
}
