import Foundation
import TestSupport
import XCTest

/// Helpers shared by the RSA tests: hex, Wycheproof files, external tools.
enum Fixtures {
    /// `../shared/testvectors/wycheproof/` beside the package root.
    static let wycheproofDirectory = PackagePaths.shared("testvectors/wycheproof")

    static var isCI: Bool { ExternalTool.isCI }

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        precondition(digits.count % 2 == 0, "odd hex in a fixture")
        func value(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: preconditionFailure("bad hex digit in a fixture")
            }
        }
        return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }

    static func hexString(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Loads a Wycheproof file; a missing file fails under CI and skips elsewhere.
    static func wycheproof<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let url = wycheproofDirectory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            if isCI { XCTFail("missing Wycheproof vectors at \(url.path)"); throw XCTSkip("failed above") }
            throw XCTSkip("Wycheproof vectors not found at \(url.path)")
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// Runs a tool with arguments and optional standard input; a missing tool skips the
    /// test, or fails it under CI=true.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], input: [UInt8] = []) throws -> ExternalTool.Result {
        let path = try ExternalTool.require(tool, package: packages[tool] ?? tool)
        return try ExternalTool.run(path, arguments, input: input)
    }

    /// The Debian package of each tool the tests run.
    static let packages = ["openssl": "openssl", "pkcs1-conv": "nettle-bin", "sexp-conv": "nettle-bin", "ssh-keygen": "openssh-client"]

    /// A fresh temporary directory, removed by the caller's teardown.
    static func temporaryDirectory() throws -> URL {
        try TemporaryDirectory.make("rsatests")
    }
}

/// A deterministic generator for tests only (SplitMix64).
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
