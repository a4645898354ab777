import AsyncHTTPClient
import Foundation
import HavenS3
import HavenStore

/// Where a home keeps its chunks: files under `objects/` in the home, or an S3-compatible bucket.
public enum StoreBackend: String, Sendable, Equatable {
    case files
    case s3
}

/// An S3-compatible bucket for a home's chunks, from `[store]` in `haven.toml`: used by the
/// `s3` backend, by `haven store check`, and as the target of a migration.
public struct S3StoreSettings: Sendable, Equatable {
    /// The service's URL, such as `https://s3.eu-central-1.amazonaws.com` or `http://127.0.0.1:9000`.
    public var endpoint: String
    public var bucket: String
    /// The region requests are signed for (`us-east-1` for most self-hosted services).
    public var region: String
    /// An AWS-format credentials file, mode 0600.
    public var credentialsFile: String
    /// What every chunk's key starts with, so that one bucket can hold several homes.
    public var prefix: String

    public init(endpoint: String, bucket: String, region: String = "us-east-1", credentialsFile: String, prefix: String = "chunks/") {
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self.credentialsFile = credentialsFile
        self.prefix = prefix
    }

    /// A client for the bucket, its credentials read (and their file's mode checked) now.
    public func makeClient(http: HTTPClient) throws(S3Error) -> S3Client {
        let location = try S3Bucket(endpoint: endpoint, name: bucket, region: region)
        return S3Client(bucket: location, credentials: try S3Credentials.load(from: credentialsFile), http: http)
    }
}

extension Setting where Value == StoreBackend {
    static let storeBackend = Setting(
        key: "store.backend", environmentVariable: "HAVEN_STORE_BACKEND", expected: "\"files\" or \"s3\""
    ) { text in
        StoreBackend(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
    }
}

extension Setting where Value == String {
    static let s3Endpoint = Setting(
        key: "store.endpoint", environmentVariable: "HAVEN_S3_ENDPOINT",
        expected: "an http(s) URL such as https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000"
    ) { text in
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return (try? S3Bucket(endpoint: trimmed, name: "x", region: "x")) == nil ? nil : trimmed
    }

    static let s3Bucket = Setting(
        key: "store.bucket", environmentVariable: "HAVEN_S3_BUCKET",
        expected: "a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens"
    ) { text in
        let valid = (3...63).contains(text.utf8.count)
            && text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 46 || $0 == 45 }
        return valid ? text : nil
    }

    static let s3Region = Setting(
        key: "store.region", environmentVariable: "HAVEN_S3_REGION", expected: "a region name such as us-east-1"
    ) { text in
        let valid = (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
        return valid ? text : nil
    }

    static let s3CredentialsFile = Setting(
        key: "store.credentials_file", environmentVariable: "HAVEN_S3_CREDENTIALS_FILE",
        expected: "the path of an AWS-format credentials file (mode 0600)"
    ) { text in
        text.isEmpty ? nil : text
    }

    static let s3Prefix = Setting(
        key: "store.prefix", environmentVariable: "HAVEN_S3_PREFIX",
        expected: "a key prefix of at most 512 bytes, not starting with /"
    ) { text in
        text.utf8.count <= 512 && !text.hasPrefix("/") ? text : nil
    }
}

extension Configuration {
    /// The chunk backend `[store] backend` names: `nil` for files under `objects/`, else the
    /// S3-compatible bucket, its credentials read now.
    public func chunkStorage(http: HTTPClient) throws(S3Error) -> (any ChunkStorage)? {
        switch storeBackend {
        case .files: return nil
        case .s3:
            guard let s3 else { return nil }
            return S3ChunkStorage(client: try s3.makeClient(http: http), prefix: s3.prefix)
        }
    }

    /// The local cache of chunks read from the bucket, at `directory` (`cache/chunks/` in the
    /// home): `nil` with the files backend (chunks are local already) or `cache_bytes = 0`.
    public func chunkCache(directory: String) throws(StoreError) -> ChunkCache? {
        guard storeBackend == .s3, storeCacheBytes > 0 else { return nil }
        return try ChunkCache(directory: directory, capacity: storeCacheBytes)
    }
}
