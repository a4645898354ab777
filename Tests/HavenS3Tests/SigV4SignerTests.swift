import Foundation
import Testing

@testable import HavenS3

/// The signer against signatures botocore computed for the same requests (Vectors/SOURCE.md):
/// the canonical request, the string to sign and the `Authorization` header, byte for byte.
@Suite struct SigV4SignerTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        struct Expected: Decodable, Sendable {
            let payloadHash: String
            let amzDate: String
            let canonicalRequest: String
            let stringToSign: String
            let authorization: String
        }

        let name: String
        let method: String
        let host: String
        let path: String
        let query: [[String]]
        let headers: [[String]]
        let body: String
        let unsignedPayload: Bool
        let region: String
        let expected: Expected

        var testDescription: String { name }
    }

    struct Document: Decodable {
        let timestamp: String
        let accessKeyID: String
        let secretAccessKey: String
        let vectors: [Vector]
    }

    static let document: Document = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/sigv4.json")
        return try! JSONDecoder().decode(Document.self, from: Data(contentsOf: file))
    }()

    static var date: Date { try! Date(document.timestamp, strategy: .iso8601) }

    @Test(arguments: document.vectors)
    func matchesBotocore(_ vector: Vector) {
        let credentials = S3Credentials(accessKeyID: Self.document.accessKeyID, secretAccessKey: Self.document.secretAccessKey)
        let signer = SigV4Signer(credentials: credentials, region: vector.region)
        let payloadHash = vector.unsignedPayload ? SigV4Signer.unsignedPayload : SigV4Signer.payloadHash(Array(vector.body.utf8))
        #expect(payloadHash == vector.expected.payloadHash)
        let signature = signer.sign(
            SigV4Signer.Request(
                method: vector.method, host: vector.host, path: vector.path,
                query: vector.query.map { SigV4Signer.QueryItem($0[0], $0[1]) },
                headers: vector.headers.map { SigV4Signer.Field($0[0], $0[1]) }, payloadHash: payloadHash),
            at: Self.date)
        #expect(signature.amzDate == vector.expected.amzDate)
        #expect(signature.canonicalRequest == vector.expected.canonicalRequest)
        #expect(signature.stringToSign == vector.expected.stringToSign)
        #expect(signature.authorization == vector.expected.authorization)
        #expect(signature.fields.contains(SigV4Signer.Field("Authorization", vector.expected.authorization)))
    }

    @Test func anotherSecretSignsDifferently() throws {
        let vector = try #require(Self.document.vectors.first)
        let request = SigV4Signer.Request(
            method: vector.method, host: vector.host, path: vector.path,
            headers: vector.headers.map { SigV4Signer.Field($0[0], $0[1]) },
            payloadHash: SigV4Signer.payloadHash(Array(vector.body.utf8)))
        let right = SigV4Signer(
            credentials: S3Credentials(accessKeyID: Self.document.accessKeyID, secretAccessKey: Self.document.secretAccessKey),
            region: vector.region)
        let wrong = SigV4Signer(
            credentials: S3Credentials(accessKeyID: Self.document.accessKeyID, secretAccessKey: "not-the-secret"),
            region: vector.region)
        #expect(right.sign(request, at: Self.date).authorization == vector.expected.authorization)
        #expect(wrong.sign(request, at: Self.date).authorization != vector.expected.authorization)
    }

    @Test func pathEncodingKeepsUnreservedAndSlashes() {
        #expect(SigV4Signer.encodePath("chunks/3f/3fa4") == "chunks/3f/3fa4")
        #expect(SigV4Signer.encodePath("a b/ü+&=.txt~") == "a%20b/%C3%BC%2B%26%3D.txt~")
        #expect(SigV4Signer.encode("a/b", keepingSlash: false) == "a%2Fb")
    }
}
