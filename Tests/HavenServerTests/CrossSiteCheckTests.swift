import Testing

@testable import HavenServer

/// The forgery defence, as a function of the headers a browser sends.
@Suite struct CrossSiteCheckTests {
    let own = ["http://127.0.0.1:8420"]

    @Test(arguments: ["POST", "PUT", "DELETE", "PATCH", "GET"])
    func sameOriginRequestsPass(method: String) {
        #expect(CrossSiteCheck.check(method: method, fetchSite: "same-origin", origin: nil, allowedOrigins: own) == nil)
        #expect(CrossSiteCheck.check(method: method, fetchSite: nil, origin: "http://127.0.0.1:8420", allowedOrigins: own) == nil)
    }

    @Test(arguments: ["cross-site", "same-site"])
    func otherSitesAndOtherPortsOfTheSameSiteAreRefusedEvenForReads(site: String) {
        // A page on 127.0.0.1:9000 is "same-site" to 127.0.0.1:8420 and gets the SameSite cookie.
        #expect(CrossSiteCheck.check(method: "POST", fetchSite: site, origin: nil, allowedOrigins: own) == .fetchSite(site))
        #expect(CrossSiteCheck.check(method: "GET", fetchSite: site, origin: nil, allowedOrigins: own) == .fetchSite(site))
    }

    @Test func anotherOriginIsRefusedWhenNoFetchMetadataIsSent() {
        #expect(
            CrossSiteCheck.check(method: "POST", fetchSite: nil, origin: "http://127.0.0.1:9000", allowedOrigins: own)
                == .origin("http://127.0.0.1:9000"))
        #expect(
            CrossSiteCheck.check(method: "DELETE", fetchSite: nil, origin: "null", allowedOrigins: own) == .origin("null"))
    }

    @Test func fetchSiteDecidesBeforeOrigin() {
        // A forged-looking Origin cannot rescue a cross-site fetch, nor spoil a same-origin one.
        #expect(
            CrossSiteCheck.check(method: "POST", fetchSite: "cross-site", origin: own[0], allowedOrigins: own)
                == .fetchSite("cross-site"))
        #expect(
            CrossSiteCheck.check(method: "POST", fetchSite: "same-origin", origin: "http://evil.example", allowedOrigins: own)
                == nil)
    }

    @Test func aUserNavigationMayReadButNotWrite() {
        #expect(CrossSiteCheck.check(method: "GET", fetchSite: "none", origin: nil, allowedOrigins: own) == nil)
        #expect(CrossSiteCheck.check(method: "POST", fetchSite: "none", origin: nil, allowedOrigins: own) == .fetchSite("none"))
    }

    @Test func aWriteWithNoProvenanceIsRefusedAndAReadIsNot() {
        #expect(CrossSiteCheck.check(method: "POST", fetchSite: nil, origin: nil, allowedOrigins: own) == .noProvenance)
        #expect(CrossSiteCheck.check(method: "GET", fetchSite: nil, origin: nil, allowedOrigins: own) == nil)
    }

    @Test func ownOriginsComeFromTheHostHeaderAndThePublicURL() {
        #expect(
            CrossSiteCheck.origins(host: "127.0.0.1:8420", secure: false, publicURL: "https://haven.example.org")
                == ["http://127.0.0.1:8420", "https://haven.example.org"])
        #expect(CrossSiteCheck.origins(host: "localhost:8443", secure: true, publicURL: nil) == ["https://localhost:8443"])
        #expect(CrossSiteCheck.origins(host: "evil/x", secure: false, publicURL: nil).isEmpty)
    }
}
