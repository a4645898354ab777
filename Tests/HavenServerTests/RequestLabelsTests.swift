import Hummingbird
import Testing

@testable import HavenServer

@Suite struct RequestLabelsTests {
    @Test(arguments: [
        ("/v1/chat/completions", "/v1/chat/completions"),
        ("/data/**", "/data/**"),
        ("/haven/tokens/{name}", "/haven/tokens/{name}"),
        ("/", "/"),
    ])
    func aMatchedRouteIsLabelledByItsPattern(endpointPath: String, route: String) {
        #expect(RequestLabels.route(endpointPath: endpointPath) == route)
    }

    @Test(arguments: [nil, "NotFound", "FileMiddleware", ""] as [String?])
    func aRequestNoRouteMatchedIsUnmatchedNeverItsPath(endpointPath: String?) {
        #expect(RequestLabels.route(endpointPath: endpointPath) == "unmatched")
    }

    @Test func methodAndStatusAreLabelledAsSent() {
        let labels = RequestLabels(endpointPath: "/data/**", method: .put, status: .created)
        #expect(labels.dimensions.map(\.0) == ["route", "method", "status"])
        #expect(labels.dimensions.map(\.1) == ["/data/**", "PUT", "201"])
    }

    @Test func anUnusualMethodIsOtherSoMethodsCannotMultiplySeries() throws {
        let method = try #require(HTTPRequest.Method("BREW"))
        #expect(RequestLabels(endpointPath: nil, method: method, status: .notFound).method == "other")
        #expect(RequestLabels(endpointPath: nil, method: .options, status: .notFound).method == "OPTIONS")
    }

    @Test func durationsAreWholeNanoseconds() {
        #expect(ServerMetrics.nanoseconds(.milliseconds(1500)) == 1_500_000_000)
        #expect(ServerMetrics.nanoseconds(.nanoseconds(7)) == 7)
    }
}
