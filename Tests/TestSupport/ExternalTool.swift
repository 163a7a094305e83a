import Foundation
import XCTest

/// Runs real tools written by others (sexp-conv, openssl, ...) from tests.
///
/// Outside CI a missing tool skips the test; under `CI=true` it fails it, so that a
/// CI machine without the tool can never pass silently.
public enum ExternalTool {
    /// Whether the tests run under CI (`CI=true`).
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The absolute path of `name` on PATH, or a skip (locally) / failure (CI).
    public static func require(_ name: String, package: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        if let path = find(name) { return path }
        let message = "`\(name)` is not installed (Debian package \(package)); scripts/test installs it"
        if isCI {
            XCTFail(message, file: file, line: line)
            throw MissingTool(name: name)
        }
        throw XCTSkip(message)
    }

    /// The absolute path of `name` on PATH.
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public struct MissingTool: Error {
        public let name: String
    }

    /// The result of running a process.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: [UInt8]
        public let stderr: [UInt8]
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`, feeding `input` on standard input.
    public static func run(_ executable: String, _ arguments: [String], input: [UInt8] = [],
                           environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Feed input and drain both outputs concurrently so that no pipe fills up.
        let group = DispatchGroup()
        nonisolated(unsafe) var out = Data()
        nonisolated(unsafe) var err = Data()
        DispatchQueue.global().async(group: group) { out = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { err = stderr.fileHandleForReading.readDataToEndOfFile() }
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: Array(out), stderr: Array(err))
    }
}

/// Locations inside the package, for corpus files and shared test data.
public enum PackagePaths {
    /// The package root, found from this source file's path.
    public static var root: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }

    /// `corpus/<name>` in the package.
    public static func corpus(_ name: String) -> URL { root.appendingPathComponent("corpus").appendingPathComponent(name) }

    /// `../shared/<name>` beside the package (test vectors, schemas).
    public static func shared(_ name: String) -> URL {
        root.deletingLastPathComponent().appendingPathComponent("shared").appendingPathComponent(name)
    }

    /// The directory holding the built products (where the test bundle runs from).
    public static var products: URL {
        let bundle = Bundle.main.bundleURL
        if bundle.pathExtension == "xctest" { return bundle.deletingLastPathComponent() }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The built executable `name`.
    public static func executable(_ name: String) -> String {
        products.appendingPathComponent(name).path
    }

    /// Files with the given extension in a corpus folder, sorted.
    public static func corpusFiles(_ folder: String, extension ext: String) throws -> [URL] {
        let directory = corpus(folder)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == ext }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
