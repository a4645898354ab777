import Foundation
import HavenAccess
import Testing

/// One case of SolidLab's ODRL Test Suite, ported to Haven's licence subset (see
/// Vectors/odrl/SOURCE.md): a policy file, a request, and the decision or refusal expected.
struct ODRLVector: Decodable, Sendable, CustomTestStringConvertible {
    struct Request: Decodable, Sendable {
        let assignee: String
        let action: String
        let target: String
        let time: String
    }

    struct Expectation: Decodable, Sendable {
        let decision: String?
        let basis: String?
        let rule: String?
        let duties: [String]?
        /// "policy" or "request" when the case is outside the subset.
        let refused: String?
        let error: String?
        let term: String?
        let path: String?
    }

    let id: String
    let `case`: String
    let title: String
    let policy: String
    let request: Request
    let expect: Expectation

    var testDescription: String { "testcase-\(self.case) \(id)" }

    static let directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors/odrl")

    /// Every ported case, in order; empty if the directory cannot be read (a test checks the count).
    static let all: [ODRLVector] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasPrefix("testcase-") && $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
            return try? JSONDecoder().decode(ODRLVector.self, from: data)
        }
    }()

    func policyBytes() throws -> [UInt8] {
        let url = Self.directory.appendingPathComponent(policy)
        return try #require(FileManager.default.contents(atPath: url.path).map(Array.init), "missing \(policy)")
    }
}

@Suite("ODRL Test Suite vectors")
struct ODRLVectorTests {
    @Test func everyPortedCaseIsPresent() {
        let vectors = ODRLVector.all
        #expect(vectors.count == 67)
        #expect(vectors.filter { $0.expect.refused == nil }.count == 39)
        #expect(vectors.filter { $0.expect.refused == "policy" }.count == 18)
        #expect(vectors.filter { $0.expect.refused == "request" }.count == 10)
    }

    @Test(arguments: ODRLVector.all)
    func vectorDecidesAsExpected(_ vector: ODRLVector) throws {
        let bytes = try vector.policyBytes()
        let expect = vector.expect

        if expect.refused == "policy" {
            let error = #expect(throws: PolicyError.self) { try LicencePolicy(parsing: bytes) }
            #expect(error?.caseName == expect.error)
            #expect(error?.path == expect.path)
            if let term = expect.term { #expect(error?.unsupportedTerm == term) }
            return
        }

        let policy = try LicencePolicy(parsing: bytes)
        if expect.refused == "request" {
            let error = #expect(throws: PolicyError.self) { try LicenceAction(vector.request.action) }
            #expect(error?.caseName == expect.error)
            #expect(error?.unsupportedTerm == expect.term)
            return
        }

        let request = LicenceRequest(
            assignee: try LicenceParty(vector.request.assignee),
            action: try LicenceAction(vector.request.action),
            target: try LicenceTarget(vector.request.target),
            time: try PolicyTime(iso8601: vector.request.time)
        )
        let decision = policy.evaluate(request)
        #expect(decision.isAllowed == (expect.decision == "allowed"), "\(decision.reason)")
        #expect(decision.basis.rawValue == expect.basis, "\(decision.reason)")
        #expect(decision.rule?.uid == expect.rule)
        #expect(decision.duties.map(\.action.rawValue) == (expect.duties ?? []))
        #expect(decision.countUse == nil)

        // The canonical form is what gets signed: it must read back to the same policy and decision.
        let reread = try LicencePolicy(parsing: policy.canonicalJSON)
        #expect(reread == policy)
        #expect(reread.evaluate(request) == decision)
    }
}
