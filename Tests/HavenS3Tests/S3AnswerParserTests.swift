import Testing

@testable import HavenS3

/// Reading ListObjectsV2 pages and error documents as S3 sends them.
@Suite struct S3AnswerParserTests {
    @Test func readsATruncatedPage() throws {
        let page = try S3AnswerParser.listPage(
            Array(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Name>haven</Name><Prefix>chunks/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
                  <IsTruncated>true</IsTruncated>
                  <Contents><Key>chunks/00/00aa</Key><LastModified>2026-12-02T09:30:15.000Z</LastModified>
                    <ETag>&quot;abc&quot;</ETag><Size>1048576</Size><StorageClass>STANDARD</StorageClass></Contents>
                  <Contents><Key>chunks/01/01&amp;b</Key><Size>7</Size></Contents>
                  <NextContinuationToken>1/token+==</NextContinuationToken>
                </ListBucketResult>
                """.utf8))
        #expect(
            page
                == S3ListPage(
                    objects: [.init(key: "chunks/00/00aa", size: 1_048_576), .init(key: "chunks/01/01&b", size: 7)],
                    nextContinuationToken: "1/token+=="))
    }

    @Test func theLastPageHasNoToken() throws {
        let page = try S3AnswerParser.listPage(
            Array("<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>".utf8))
        #expect(page == S3ListPage(objects: [], nextContinuationToken: nil))
    }

    @Test func refusesWhatIsNotAListing() {
        #expect(throws: S3AnswerParserError.self) { try S3AnswerParser.listPage(Array("<Error><Code>X</Code></Error>".utf8)) }
        #expect(throws: S3AnswerParserError.self) { try S3AnswerParser.listPage(Array("not xml".utf8)) }
    }

    @Test func readsAnErrorDocument() {
        let error = S3AnswerParser.error(
            Array(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message>
                <RequestId>1</RequestId></Error>
                """.utf8))
        #expect(error?.code == "SignatureDoesNotMatch")
        #expect(error?.message == "The request signature we calculated does not match")
        #expect(S3AnswerParser.error([]) == nil)
    }
}
