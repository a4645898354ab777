import HavenStore
import Testing

@testable import HavenServer

/// The record of a migration to S3: what a resumed run trusts, and what it does not.
@Suite struct MigrationLogTests {
    static let target = MigrationLog.Target(endpoint: "http://127.0.0.1:9000", bucket: "my-haven", prefix: "chunks/")
    static func id(_ n: Int) -> ContentID { ContentID.hashing(Array("chunk \(n)".utf8), codec: .raw) }

    static var header: String {
        MigrationLog.header + "\n" + target.line + "\n"
    }

    @Test func verifiedChunksAndCompletionAreRead() throws {
        let text = Self.header + MigrationLog.verifiedLines([Self.id(1), Self.id(2)]) + "complete\n"
        let log = try #require(MigrationLog.parse(text))
        #expect(log.target == Self.target)
        #expect(log.verified == [Self.id(1), Self.id(2)])
        #expect(log.complete)
    }

    @Test func aTornLastLineIsIgnored() throws {
        let torn = String(MigrationLog.verifiedLines([Self.id(2)]).dropLast(9))
        let log = try #require(MigrationLog.parse(Self.header + MigrationLog.verifiedLines([Self.id(1)]) + torn))
        #expect(log.verified == [Self.id(1)])
        #expect(!log.complete)
        // The same line whole counts.
        #expect(MigrationLog.parse(Self.header + MigrationLog.verifiedLines([Self.id(1), Self.id(2)]))?.verified.count == 2)
    }

    @Test func aTornCompleteMarkerDoesNotComplete() {
        #expect(MigrationLog.parse(Self.header + "complete")?.complete == false)
        #expect(MigrationLog.parse(Self.header + "complete\n")?.complete == true)
    }

    @Test func textThatIsNotALogIsRefused() {
        #expect(MigrationLog.parse("") == nil)
        #expect(MigrationLog.parse("verified \(Self.id(1).hex)\n") == nil)
    }

    @Test func theTargetRoundTripsAndAnotherBucketIsNotTheSame() throws {
        let log = try #require(MigrationLog.parse(Self.header))
        #expect(log.target == Self.target)
        var other = Self.target
        other.bucket = "another"
        #expect(log.target != other)
    }
}
