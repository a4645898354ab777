import Testing

@testable import HavenServer

/// `[store]` in haven.toml: the S3 bucket's settings, their defaults, and the combinations refused.
@Suite struct StoreSettingsTests {
    @Test func aBucketIsReadWithItsDefaults() throws {
        let configuration = try Configuration.resolve(
            file: """
                [store]
                endpoint = "http://127.0.0.1:9000"
                bucket = "my-haven"
                credentials_file = "/etc/haven/s3"
                """)
        #expect(configuration.storeBackend == .files)
        #expect(
            configuration.s3
                == S3StoreSettings(
                    endpoint: "http://127.0.0.1:9000", bucket: "my-haven", region: "us-east-1", credentialsFile: "/etc/haven/s3",
                    prefix: "chunks/"))
    }

    @Test func theEnvironmentBeatsTheFile() throws {
        let configuration = try Configuration.resolve(
            environment: ["HAVEN_STORE_BACKEND": "s3", "HAVEN_S3_BUCKET": "other-bucket", "HAVEN_S3_REGION": "eu-central-1"],
            file: """
                [store]
                backend = "files"
                endpoint = "https://s3.example.org"
                bucket = "my-haven"
                credentials_file = "/etc/haven/s3"
                prefix = "home-a/"
                """)
        #expect(configuration.storeBackend == .s3)
        #expect(configuration.s3?.bucket == "other-bucket")
        #expect(configuration.s3?.region == "eu-central-1")
        #expect(configuration.s3?.prefix == "home-a/")
    }

    @Test func theS3BackendNeedsABucket() {
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(file: "[store]\nbackend = \"s3\"\n") }
        #expect(throws: ConfigurationError.self) {
            try Configuration.resolve(file: "[store]\nendpoint = \"http://127.0.0.1:9000\"\nbucket = \"my-haven\"\n")
        }
    }

    @Test func badValuesAreRefused() {
        for (key, value) in [
            ("endpoint", "ftp://example.org"), ("bucket", "My_Bucket"), ("region", "EU West"), ("backend", "tape"),
        ] {
            #expect(throws: ConfigurationError.self) { try Configuration.resolve(file: "[store]\n\(key) = \"\(value)\"\n") }
        }
    }

    @Test func theCacheBoundDefaultsToOneGiBAndZeroTurnsItOff() throws {
        #expect(try Configuration.resolve().storeCacheBytes == 1 << 30)
        #expect(try Configuration.resolve(file: "[store]\ncache_bytes = \"256MiB\"\n").storeCacheBytes == 256 << 20)
        #expect(try Configuration.resolve(environment: ["HAVEN_STORE_CACHE_BYTES": "0"]).storeCacheBytes == 0)
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(file: "[store]\ncache_bytes = \"lots\"\n") }
    }
}
