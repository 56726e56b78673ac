// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "jcm-ingestd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "jcm-ingestd", targets: ["jcm-ingestd"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already Hummingbird's; named for the /metrics server's own channel handlers and Service.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // C: typed wrappers for libcurl's variadic calls (Swift cannot call C variadics).
        .target(name: "CCurlShim", linkerSettings: [.linkedLibrary("curl")]),
        // C: libpq as a system library; Debian keeps the header under postgresql/.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // Pure logic: configuration, readings, decoders, units, time, validation, the ledger's
        // digests and signatures. No I/O.
        .target(name: "JCMCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The only module that imports CCurlShim.
        .target(
            name: "JCMCurl", dependencies: ["CCurlShim", "JCMCore", .product(name: "Logging", package: "swift-log")]),
        // The only module that imports CLibPQ.
        .target(
            name: "JCMPostgres",
            dependencies: ["CLibPQ", "JCMCore", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Migrations")]
        ),
        // The daemon's services: writer, pollers, folder watcher, simulator.
        .target(
            name: "JCMDaemon",
            dependencies: [
                "JCMCore", "JCMCurl", "JCMPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "jcm-ingestd",
            dependencies: [
                "JCMCore", "JCMDaemon", "JCMPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // bench/validation.sh: the validator's microbenchmark, not shipped.
        .executableTarget(name: "validation-bench", dependencies: ["JCMCore"], path: "bench/validation"),
        .testTarget(name: "JCMCoreTests", dependencies: ["JCMCore"]),
        .testTarget(
            name: "JCMIntegrationTests",
            dependencies: [
                "JCMCore", "JCMCurl", "JCMPostgres", "JCMDaemon", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
