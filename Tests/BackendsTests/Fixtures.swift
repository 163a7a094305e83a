import Foundation
import RSA
import SExpr
import TestSupport
import XCTest

/// Keys and vectors under `corpus/backends/`, shared by the back-end tests.
enum Fixtures {
    static let directory = PackagePaths.corpus("backends")

    static func keyURL(_ name: String) -> URL {
        directory.appendingPathComponent("keys").appendingPathComponent(name)
    }

    /// A fixture key file (`host-a`, `vm-1`, …; `.pem` is added when missing).
    static func key(_ name: String) throws -> RSAKeyFile {
        let file = name.contains(".") ? name : name + ".pem"
        let bytes = try Array(Data(contentsOf: keyURL(file)))
        return try RSAKeyFile.load(bytes)
    }

    static func privateKey(_ name: String) throws -> RSAPrivateKey {
        try key(name).requirePrivateKey()
    }

    /// One line of `hit-vectors.txt`.
    struct HITVector: Equatable {
        var name: String
        var v2: String
        var v1: String
        var lsi: String
    }

    static func parseVectors(_ text: String) -> [HITVector] {
        text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4 else { return nil }
            return HITVector(name: fields[0], v2: fields[1], v1: fields[2], lsi: fields[3])
        }
    }

    static func checkedInVectors() throws -> [HITVector] {
        let text = try String(contentsOf: directory.appendingPathComponent("hit-vectors.txt"), encoding: .utf8)
        return parseVectors(text)
    }

    /// All key files in `keys/`, sorted by name.
    static func allKeyFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory.appendingPathComponent("keys"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "pem" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        try TemporaryDirectory.make("backends-tests", removedAfter: test)
    }
}

/// The normal-form public key S-expression of a fixture key.
enum RSASExprProbe {
    static func publicKey(_ name: String) -> SExpr? {
        guard let key = try? Fixtures.key(name) else { return nil }
        return try? SExpr.parse(key.publicKeyBytes(.sexp))
    }
}
