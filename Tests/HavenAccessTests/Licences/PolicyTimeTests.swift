import Foundation
import HavenAccess
import Testing

@Suite("Policy time")
struct PolicyTimeTests {
    @Test(arguments: [
        ("2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        ("2027-01-01T00:00:00.000Z", "2027-01-01T00:00:00Z"),
        ("2024-02-12T11:20:10.999Z", "2024-02-12T11:20:10.999Z"),
        ("2027-01-01T01:30:00+01:30", "2027-01-01T00:00:00Z"),
        ("2026-12-31T19:00:00-05:00", "2027-01-01T00:00:00Z"),
        ("2024-02-29T23:59:59.123456789Z", "2024-02-29T23:59:59.123456789Z"),
        ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.5Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
    ])
    func parsesToACanonicalUTCSpelling(_ input: String, _ canonical: String) throws {
        let time = try PolicyTime(iso8601: input)
        #expect(time.iso8601 == canonical)
        #expect(try PolicyTime(iso8601: canonical) == time)
    }

    @Test(arguments: [
        "2027-01-01T00:00:00", "2027-01-01", "2027-01-01 00:00:00Z", "2023-02-29T00:00:00Z", "2027-13-01T00:00:00Z",
        "2027-01-01T24:00:00Z", "2027-01-01T23:59:60Z", "2027-01-01T00:00:00.Z", "2027-01-01T00:00:00.1234567890Z",
        "2027-01-01T00:00:00+1:00", "0000-01-01T00:00:00Z", "2027-01-01t00:00:00z", "2027-01-01T00:00:00Z ",
    ])
    func refusesAnythingButAZonedDateTime(_ input: String) {
        #expect(throws: PolicyError.self) { try PolicyTime(iso8601: input) }
    }

    @Test func ordersExactlyToTheNanosecond() throws {
        let a = try PolicyTime(iso8601: "2027-01-01T00:00:00Z")
        let b = try PolicyTime(iso8601: "2027-01-01T00:00:00.000000001Z")
        #expect(a < b)
        #expect(try PolicyTime(iso8601: "2027-01-01T01:00:00+01:00") == a)
        #expect(try PolicyTime(iso8601: "1969-12-31T23:59:59.999999999Z") < PolicyTime(seconds: 0))
    }

    @Test func convertsFromAndToDate() throws {
        let time = try PolicyTime(iso8601: "2024-02-12T11:20:10.5Z")
        #expect(time.date == Date(timeIntervalSince1970: 1_707_736_810.5))
        #expect(PolicyTime(time.date) == time)
        #expect(PolicyTime(Date(timeIntervalSince1970: -0.25)).iso8601 == "1969-12-31T23:59:59.75Z")
        #expect(PolicyTime(Date.distantFuture.addingTimeInterval(1e12)) == PolicyTime(seconds: PolicyTime.latest.seconds))
        #expect(PolicyTime.earliest.iso8601 == "0001-01-01T00:00:00Z")
        #expect(PolicyTime.latest.iso8601 == "9999-12-31T23:59:59.999999999Z")
    }
}
