/// One page of a ListObjectsV2 answer.
public struct S3ListPage: Sendable, Equatable {
    /// An object listed: its key and size.
    public struct Object: Sendable, Equatable {
        public let key: String
        public let size: Int64

        public init(key: String, size: Int64) {
            self.key = key
            self.size = size
        }
    }

    public let objects: [Object]
    /// The token that asks for the next page; `nil` on the last one.
    public let nextContinuationToken: String?

    public init(objects: [Object], nextContinuationToken: String?) {
        self.objects = objects
        self.nextContinuationToken = nextContinuationToken
    }
}
