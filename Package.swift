// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Haven",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "haven", targets: ["haven"]),
        .executable(name: "haven-sim", targets: ["haven-sim"]),
        .library(name: "HavenIdentity", targets: ["HavenIdentity"]),
        .library(name: "HavenStore", targets: ["HavenStore"]),
        .library(name: "HavenS3", targets: ["HavenS3"]),
        .library(name: "HavenAccess", targets: ["HavenAccess"]),
        .library(name: "HavenInference", targets: ["HavenInference"]),
        .library(name: "HavenKnowledge", targets: ["HavenKnowledge"]),
        .library(name: "HavenAgents", targets: ["HavenAgents"]),
        .library(name: "HavenExchange", targets: ["HavenExchange"]),
        .library(name: "HavenLedger", targets: ["HavenLedger"]),
        .library(name: "HavenMarket", targets: ["HavenMarket"]),
        .library(name: "HavenServer", targets: ["HavenServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-http-structured-headers.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CLlama", pkgConfig: "llama"),
        .target(
            name: "HavenInference",
            dependencies: [
                "CLlama",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HavenIdentity",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(name: "CHavenSystem"),
        .target(name: "CVectorKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(
            name: "HavenS3",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "HavenStore",
            dependencies: [
                "CHavenSystem",
                "HavenS3",
                "HavenIdentity",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "HavenAccess",
            dependencies: [
                "HavenIdentity",
                "HavenStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "HavenKnowledge",
            dependencies: [
                "CVectorKernels",
                "HavenAccess",
                "HavenIdentity",
                "HavenInference",
                "HavenStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HavenAgents",
            dependencies: [
                "HavenAccess",
                "HavenIdentity",
                "HavenInference",
                "HavenKnowledge",
                "HavenStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .target(
            name: "HavenExchange",
            dependencies: [
                "HavenAccess",
                "HavenIdentity",
                "HavenStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
            ]
        ),
        .target(
            name: "HavenLedger",
            dependencies: [
                "HavenAccess",
                "HavenIdentity",
                "HavenStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .systemLibrary(name: "CISAL", providers: [.apt(["libisal-dev"])]),
        .target(
            name: "HavenMarket",
            dependencies: [
                "CISAL",
                "HavenAccess",
                "HavenIdentity",
                "HavenLedger",
                "HavenStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "haven-sim",
            dependencies: [
                "HavenMarket",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "HavenWebAssets"),
        .target(
            name: "HavenServer",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "HavenAccess",
                "HavenAgents",
                "HavenExchange",
                "HavenIdentity",
                "HavenInference",
                "HavenKnowledge",
                "HavenLedger",
                "HavenMarket",
                "HavenS3",
                "HavenStore",
                "HavenWebAssets",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .executableTarget(
            name: "haven",
            dependencies: [
                "HavenExchange",
                "HavenS3",
                "HavenLedger",
                "HavenMarket",
                "HavenServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(
            name: "haven-bench",
            dependencies: [
                "HavenAccess",
                "HavenIdentity",
                "HavenInference",
                "HavenKnowledge",
                "HavenLedger",
                "HavenMarket",
                "HavenStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "HavenFuzzing",
            dependencies: [
                "HavenAccess",
                "HavenExchange",
                "HavenIdentity",
                "HavenInference",
                "HavenKnowledge",
                "HavenLedger",
                "HavenMarket",
                "HavenStore",
            ]
        ),
        .executableTarget(
            name: "haven-fuzz",
            dependencies: [
                "HavenFuzzing", "HavenAccess", "HavenExchange", "HavenIdentity", "HavenInference", "HavenLedger", "HavenMarket",
                "HavenStore",
            ]
        ),
        .target(
            name: "HavenTestSupport",
            dependencies: [
                "HavenAgents",
                "HavenServer",
                "HavenStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/HavenTestSupport"
        ),
        .testTarget(
            name: "HavenInferenceTests",
            dependencies: ["HavenInference"]
        ),
        .testTarget(
            name: "HavenIdentityTests",
            dependencies: ["HavenIdentity"]
        ),
        .testTarget(
            name: "HavenS3Tests",
            dependencies: ["HavenS3"],
            exclude: ["Vectors"]
        ),
        .testTarget(
            name: "HavenStoreTests",
            dependencies: ["HavenStore", "HavenTestSupport"]
        ),
        .testTarget(
            name: "HavenAccessTests",
            dependencies: [
                "HavenAccess",
                "HavenStore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Vectors"]
        ),
        .testTarget(
            name: "HavenKnowledgeTests",
            dependencies: ["HavenKnowledge", "HavenStore", "HavenAccess", "HavenTestSupport"]
        ),
        .testTarget(
            name: "HavenAgentsTests",
            dependencies: ["HavenAgents", "HavenKnowledge", "HavenStore", "HavenAccess", "HavenTestSupport"]
        ),
        .testTarget(
            name: "HavenExchangeTests",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                "HavenAccess",
                "HavenExchange",
                "HavenIdentity",
                "HavenStore",
                "HavenTestSupport",
            ]
        ),
        .testTarget(
            name: "HavenLedgerTests",
            dependencies: [
                "HavenLedger", "HavenIdentity", "HavenStore", .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Vectors"]
        ),
        .testTarget(
            name: "HavenMarketTests",
            dependencies: [
                "HavenMarket", "HavenIdentity", "HavenLedger", "HavenStore", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "HavenFuzzingTests",
            dependencies: ["HavenFuzzing"]
        ),
        .testTarget(
            name: "HavenServerTests",
            dependencies: [
                "HavenAccess",
                "HavenAgents",
                "HavenInference",
                "HavenServer",
                "HavenStore",
                "HavenTestSupport",
                "HavenWebAssets",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
