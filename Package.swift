// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "spkic",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SExpr", targets: ["SExpr"]),
        .library(name: "Diagnostics", targets: ["Diagnostics"]),
        .library(name: "PolicyLanguage", targets: ["PolicyLanguage"]),
        .executable(name: "spkic", targets: ["spkic"]),
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
        .target(name: "Diagnostics"),
        .target(name: "PolicyLanguage", dependencies: ["Diagnostics"]),

        // MARK: Executables (argument parsing and printing only)
        .executableTarget(
            name: "spkic",
            dependencies: [
                "PolicyLanguage", "Diagnostics", "ToolSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        .testTarget(name: "SExprTests", dependencies: ["SExpr"]),
        .testTarget(name: "ToolSupportTests", dependencies: ["ToolSupport"]),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics"]),
        .testTarget(name: "PolicyLanguageTests", dependencies: ["PolicyLanguage", "Diagnostics"]),
        .testTarget(name: "SpkicCLITests", dependencies: ["spkic"]),
    ]
)
