// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "spkic",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SExpr", targets: ["SExpr"]),
        .library(name: "RSA", targets: ["RSA"]),
        .library(name: "SPKI", targets: ["SPKI"]),
        .library(name: "Diagnostics", targets: ["Diagnostics"]),
        .library(name: "PolicyLanguage", targets: ["PolicyLanguage"]),
        .library(name: "Backends", targets: ["Backends"]),
        .library(name: "PolicyCompiler", targets: ["PolicyCompiler"]),
        .executable(name: "spki", targets: ["spki"]),
        .executable(name: "spkic", targets: ["spkic"]),
        .executable(name: "spki-bench", targets: ["spki-bench"]),
        .library(name: "Agent", targets: ["Agent"]),
        .executable(name: "vpxi-agent", targets: ["vpxi-agent"]),
        .library(name: "Registrar", targets: ["Registrar"]),
        .executable(name: "vpxi-registrar", targets: ["vpxi-registrar"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: Core libraries (no I/O, no printing)
        .target(name: "SExpr"),
        .target(name: "Hashing", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "ToolSupport"),
        .systemLibrary(name: "CGMP", providers: [.apt(["libgmp-dev"]), .brew(["gmp"])]),
        .target(name: "BigNum", dependencies: ["CGMP"]),
        .target(name: "RSA", dependencies: [
            "BigNum", "SExpr", "Hashing",
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        .target(name: "SPKI", dependencies: ["SExpr", "RSA", "Hashing"]),
        .target(name: "Diagnostics", dependencies: ["ToolSupport"]),
        .target(name: "PolicyLanguage", dependencies: ["Diagnostics"]),
        .target(name: "Backends", dependencies: ["SExpr", "Hashing", "RSA", "SPKI", "CFileSystem"]),
        .target(name: "CFileSystem"),
        .target(name: "CAgentIO"),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"]), .brew(["openssl"])]),
        .target(name: "Agent", dependencies: [
            "Backends", "RSA", "SPKI", "SExpr", "Hashing", "ToolSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            "CAgentIO", "CLibCrypto", .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PolicyCompiler", dependencies: ["PolicyLanguage", "Diagnostics", "SPKI", "RSA", "SExpr", "Hashing", "ToolSupport", "Backends"]),
        .target(name: "Lint", dependencies: [
            "PolicyCompiler", "PolicyLanguage", "Diagnostics", "SPKI", "RSA", "SExpr", "Hashing", "ToolSupport",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .target(name: "Registrar", dependencies: [
            "PolicyCompiler", "PolicyLanguage", "Diagnostics", "Backends", "SPKI", "RSA", "SExpr", "Hashing", "ToolSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "SQLiteNIO", package: "sqlite-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // MARK: Executables (argument parsing and printing only)
        // The executables' shared entry point (usage errors exit with 2).
        .target(name: "CommandLineSupport", dependencies: [
            "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(
            name: "spki",
            dependencies: [
                "SExpr", "Hashing", "ToolSupport", "RSA", "SPKI", "Backends",
                "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "spkic",
            dependencies: [
                "PolicyLanguage", "PolicyCompiler", "Diagnostics", "ToolSupport", "SPKI", "SExpr", "Lint", "Backends",
                "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "spki-bench",
            dependencies: [
                "SExpr", "ToolSupport", "CBenchSexp", "RSA", "BigNum", "CBenchRSA", "SPKI", "PolicyLanguage", "Diagnostics", "Backends", "PolicyCompiler",
                "Registrar",
                "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "vpxi-agent",
            dependencies: [
                "Agent", "ToolSupport", "RSA", "SPKI",
                "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        .executableTarget(
            name: "vpxi-registrar",
            dependencies: [
                "Registrar", "ToolSupport",
                "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: Reference implementations, linked by the benchmarks only
        .target(name: "CBenchSexp", linkerSettings: [.linkedLibrary("hogweed"), .linkedLibrary("nettle")]),
        .target(name: "CBenchRSA", linkerSettings: [
            .linkedLibrary("crypto"), .linkedLibrary("hogweed"), .linkedLibrary("nettle"), .linkedLibrary("gmp"),
        ]),

        // MARK: Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SExprTests", dependencies: ["SExpr", "TestSupport"]),
        .testTarget(name: "ToolSupportTests", dependencies: ["ToolSupport", "TestSupport"]),
        .testTarget(name: "CommandLineSupportTests", dependencies: [
            "CommandLineSupport", "ToolSupport", "TestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "SPKICLITests", dependencies: ["spki", "SExpr", "ToolSupport", "TestSupport"]),
        .testTarget(name: "BigNumTests", dependencies: ["BigNum"]),
        .testTarget(name: "RSATests", dependencies: ["RSA", "BigNum", "SExpr", "Hashing", "TestSupport"]),
        .testTarget(name: "SPKITests", dependencies: ["SPKI", "SExpr", "RSA", "Hashing", "TestSupport"]),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "TestSupport"]),
        .testTarget(name: "PolicyLanguageTests", dependencies: ["PolicyLanguage", "Diagnostics"]),
        .testTarget(name: "PolicyCompilerTests", dependencies: [
            "PolicyCompiler", "PolicyLanguage", "Diagnostics", "SPKI", "RSA", "SExpr", "TestSupport", "Backends",
        ]),
        .testTarget(name: "LintTests", dependencies: ["Lint", "Backends", "PolicyCompiler", "PolicyLanguage", "Diagnostics", "TestSupport"]),
        .testTarget(name: "SpkicCLITests", dependencies: ["spkic", "spki", "TestSupport"]),
        .testTarget(name: "BackendsTests", dependencies: ["Backends", "SExpr", "RSA", "SPKI", "Hashing", "TestSupport"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "Backends", "RSA", "SPKI", "SExpr", "TestSupport", "vpxi-agent"]),
        .testTarget(name: "RegistrarTests", dependencies: [
            "Registrar", "PolicyCompiler", "SPKI", "RSA", "SExpr", "Hashing", "TestSupport", "vpxi-registrar", "spki", "vpxi-agent", "Backends", "Agent",
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
