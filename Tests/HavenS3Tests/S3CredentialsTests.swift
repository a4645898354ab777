import Foundation
import Testing

@testable import HavenS3

/// Reading the AWS-format credentials file: which section is used, what is refused, and that
/// a file others can read is refused before its secret is used.
@Suite struct S3CredentialsTests {
    @Test func readsTheDefaultSection() throws {
        let credentials = try S3Credentials.parse(
            """
            # Haven's bucket
            [other]
            aws_access_key_id = OTHER
            aws_secret_access_key = other-secret

            [default]
            aws_access_key_id = AKIAHAVEN
            aws_secret_access_key = s3cr3t/with=signs
            """)
        #expect(credentials == S3Credentials(accessKeyID: "AKIAHAVEN", secretAccessKey: "s3cr3t/with=signs"))
        #expect(!"\(credentials)".contains("s3cr3t"))
    }

    @Test func refusesAFileWithoutASecret() {
        #expect(throws: S3Error.self) { try S3Credentials.parse("[default]\naws_access_key_id = AKIAHAVEN\n") }
    }

    @Test func refusesAFileOthersCanRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("s3-credentials-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = "[default]\naws_access_key_id = AKIAHAVEN\naws_secret_access_key = secret\n"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]))
        #expect(throws: S3Error.self) { try S3Credentials.load(from: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(try S3Credentials.load(from: path).accessKeyID == "AKIAHAVEN")
    }
}
