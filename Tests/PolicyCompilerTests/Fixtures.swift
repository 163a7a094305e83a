import Diagnostics
import Foundation
import PolicyCompiler
import PolicyLanguage
import TestSupport
import XCTest

/// Loading and analysing policies from the tests.
enum Fixtures {
    static func read(_ path: String) -> Result<[UInt8], PolicyLoader.ReadFailure> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(PolicyLoader.ReadFailure(reason: "No such file or directory"))
        }
        return .success([UInt8](data))
    }

    static let keyLoader = KeyLoader(read: { Fixtures.read($0) })

    /// `corpus/policies/<folder>/<name>`.
    static func policyPath(_ folder: String, _ name: String) -> String {
        PackagePaths.corpus("policies").appendingPathComponent(folder).appendingPathComponent(name).path
    }

    /// Loads and analyses a policy file.
    static func analyze(path: String) -> (PolicyLoader.Loaded, SemanticResult) {
        let loaded = PolicyLoader(read: read).load([path])
        return (loaded, SemanticAnalyzer.analyze(loaded, keys: keyLoader))
    }

    /// Analyses policy text, as if it were a file in `corpus/policies/ok/` (so that
    /// `keys/alice.pub` names a demo key).
    static func analyze(_ text: String) -> (PolicyLoader.Loaded, SemanticResult) {
        let path = policyPath("ok", "inline-test.vp")
        let loaded = PolicyLoader(read: { requested in
            requested == path ? .success(Array(text.utf8)) : read(requested)
        }).load([path])
        XCTAssertFalse(loaded.diagnostics.hasErrors, "syntax errors: \(loaded.diagnostics.map(\.message))")
        return (loaded, SemanticAnalyzer.analyze(loaded, keys: keyLoader))
    }

    /// The model of clean policy text; fails the test on any diagnostic.
    static func model(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> PolicyModel {
        let (loaded, result) = analyze(text)
        XCTAssertEqual(result.diagnostics.count, 0, render(result.diagnostics, loaded), file: file, line: line)
        return result.model
    }

    /// The codes of the diagnostics of policy text.
    static func codes(_ text: String) -> [String] {
        analyze(text).1.diagnostics.map(\.code.rawValue)
    }

    static func render(_ diagnostics: [Diagnostic], _ loaded: PolicyLoader.Loaded) -> String {
        HumanRenderer().render(diagnostics, sources: loaded.sources)
    }

    /// A small pool and a header most tests start from.
    static let pool = """
        registrar lyon key "keys/lyon.pub"
        registrar sophia key "keys/sophia.pub"
        community inria
        community hospital-lyon
        host h-[1..4] { locator 192.0.2.{index} cpus 4 memory 8 GiB disk 100 GiB hypervisor kvm registered-with lyon trusted-by inria, hospital-lyon site lyon cost 1 units/hour }
        host s-[1..2] { locator 198.51.100.{index} cpus 8 memory 16 GiB disk 1 TiB hypervisor xen registered-with sophia trusted-by inria site sophia cost 2 units/hour }
        user alice key "keys/alice.pub" member-of inria, hospital-lyon clearance high
        user bob key openssh "keys/bob.ssh.pub" member-of inria clearance medium
        user carol key pem "keys/carol.pem" member-of inria

        """

    /// A vpxi in the small pool with the given members.
    static func vpxi(_ members: String, header: String = "") -> String {
        pool + """
            vpxi study {
              owner alice
              registrar lyon
              window 2026-12-01T08:00Z .. 2026-12-03T08:00Z
              certificates valid 12h renew every 4h
            \(header)
            \(members)
            }

            """
    }
}
