// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "spkic",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SExpr", targets: ["SExpr"]),
        .executable(name: "spki", targets: ["spki"]),
        .executable(name: "spki-bench", targets: ["spki-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: Core libraries (no I/O, no printing)
        .target(name: "SExpr"),
        .target(name: "Hashing", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "ToolSupport"),

        // MARK: Executables (argument parsing and printing only)
        .executableTarget(
            name: "spki",
            dependencies: [
                "SExpr", "Hashing", "ToolSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "spki-bench",
            dependencies: [
                "SExpr", "ToolSupport", "CBenchSexp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: Reference implementations, linked by the benchmarks only
        .target(name: "CBenchSexp", linkerSettings: [.linkedLibrary("hogweed"), .linkedLibrary("nettle")]),

        // MARK: Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SExprTests", dependencies: ["SExpr", "TestSupport"]),
        .testTarget(name: "ToolSupportTests", dependencies: ["ToolSupport"]),
        .testTarget(name: "SPKICLITests", dependencies: ["spki", "SExpr", "ToolSupport", "TestSupport"]),
    ]
)
