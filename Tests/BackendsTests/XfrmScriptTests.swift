import Backends
import Foundation
import SExpr
import TestSupport
import XCTest

/// `esp/xfrm.sh`: the `ip xfrm` version of the schedule, with key placeholders.
final class XfrmScriptTests: XCTestCase {
    /// Writes a host's script and a stand-in `ip` that records what it is fed.
    func prepare(_ host: String) throws -> (script: String, bin: URL, log: URL, bundle: HostBundle) {
        let bundle = try XCTUnwrap(try TestPlan.bundles()[host])
        let directory = try Fixtures.temporaryDirectory(self)
        let script = directory.appendingPathComponent("xfrm.sh")
        try Data(bundle.file("esp/xfrm.sh")!.bytes).write(to: script)
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("ip.log")
        let fake = bin.appendingPathComponent("ip")
        try Data("#!/bin/sh\necho \"ip $*\" >> '\(log.path)'\ncat >> '\(log.path)'\n".utf8).write(to: fake)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        return (script.path, bin, log, bundle)
    }

    func testSyntaxAndUsage() throws {
        let sh = try ExternalTool.require("sh", package: "dash")
        for bundle in try TestPlan.bundles().values {
            let result = try ExternalTool.run(sh, ["-n", "/dev/stdin"], input: bundle.file("esp/xfrm.sh")!.bytes)
            XCTAssertEqual(result.status, 0, "\(bundle.host): \(result.stderrText)")
        }
        let (script, bin, _, _) = try prepare("host-a")
        let environment = ["PATH": "\(bin.path):/usr/bin:/bin"]
        XCTAssertEqual(try ExternalTool.run(sh, [script], environment: environment).status, 2)
        XCTAssertEqual(try ExternalTool.run(sh, [script, "install", "9"], environment: environment).status, 2, "no such epoch")
        let missing = try ExternalTool.run(sh, [script, "install", "0"], environment: environment)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderrText.contains("is not set"), missing.stderrText)
    }

    /// `install N` feeds `ip -batch -` one state per SA of epoch N, in BEET mode with ESN,
    /// the keys taken from the environment; `policies` one policy per direction.
    func testInstallFeedsIPTheStatesWithTheKeys() throws {
        let sh = try ExternalTool.require("sh", package: "dash")
        let (script, bin, log, bundle) = try prepare("host-a")
        let schedule = try TestPlan.sexp(bundle, "esp.sexp")
        var spis = Set<String>()
        var environment = ["PATH": "\(bin.path):/usr/bin:/bin"]
        for end in schedule.all("link-end") {
            let aead = end.field("suite") != "aes-128-cbc-hmac-sha-256-128"
            for epoch in end.all("epoch") where epoch.field("index") == "0" {
                for direction in ["inbound", "outbound"] {
                    let spi = epoch.first(direction)!.field("spi")!
                    spis.insert(spi)
                    let name = spi.dropFirst(2).uppercased()
                    if aead {
                        environment["ESP_KEY_\(name)"] = "0x" + String(repeating: "ab", count: 20)
                    } else {
                        environment["ESP_ENC_\(name)"] = "0x" + String(repeating: "cd", count: 16)
                        environment["ESP_AUTH_\(name)"] = "0x" + String(repeating: "ef", count: 32)
                    }
                }
            }
        }
        let result = try ExternalTool.run(sh, [script, "install", "0"], environment: environment)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let fed = try String(contentsOf: log, encoding: .utf8)
        XCTAssertTrue(fed.hasPrefix("ip -batch -\n"))
        let states = fed.split(separator: "\n").filter { $0.hasPrefix("xfrm state add ") }
        XCTAssertEqual(states.count, spis.count, "one state per SA, same-host SAs once")
        XCTAssertEqual(Set(states.map { String($0.split(separator: " ")[10]) }), spis)
        XCTAssertEqual(states.count, Set(states).count)
        for state in states {
            XCTAssertTrue(state.contains(" mode beet replay-window 64 flag esn "), String(state))
            XCTAssertFalse(state.contains("${"), "every placeholder filled")
            XCTAssertTrue(state.contains(" sel src 2001:21:"), "HITs inside")
        }
        XCTAssertTrue(fed.contains("aead rfc4106(gcm(aes)) 0xabab"))
        XCTAssertTrue(fed.contains("enc cbc(aes) 0xcdcd"))
        XCTAssertTrue(fed.contains("auth-trunc hmac(sha256) 0xefef"))
        XCTAssertTrue(fed.contains("aead rfc7539esp(chacha20,poly1305) 0xabab"))

        try Data().write(to: log)
        XCTAssertEqual(try ExternalTool.run(sh, [script, "policies"], environment: environment).status, 0)
        let policies = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("xfrm policy update ") }
        XCTAssertEqual(policies.count, 3 * schedule.all("link-end").count, "out, in and fwd for each link end")
        XCTAssertEqual(Set(policies).count, policies.count)
    }

    /// `show` prints the commands with the placeholders, and needs no key.
    func testShowPrintsPlaceholders() throws {
        let sh = try ExternalTool.require("sh", package: "dash")
        let (script, bin, log, _) = try prepare("host-b")
        let shown = try ExternalTool.run(sh, [script, "show", "1"], environment: ["PATH": "\(bin.path):/usr/bin:/bin"])
        XCTAssertEqual(shown.status, 0, shown.stderrText)
        let lines = shown.stdoutText.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        for line in lines {
            XCTAssertTrue(line.hasPrefix("xfrm state add "), String(line))
            XCTAssertNotNil(line.range(of: #"aead rfc4106\(gcm\(aes\)\) \$\{ESP_KEY_[0-9A-F]{8}\} 128"#, options: .regularExpression), String(line))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: log.path), "show does not run ip")
    }

    /// As root, the real `ip` in a fresh network namespace accepts every command the script
    /// gives it: the only errors allowed are the kernel's lack of the ESP algorithms (test
    /// kernels have none) and deleting states that are not there.
    func testRealIPParsesEveryCommand() throws {
        guard getuid() == 0 else {
            if ExternalTool.isCI { XCTFail("CI must run this test as root, for a network namespace") }
            throw XCTSkip("needs root, for a network namespace")
        }
        let unshare = try ExternalTool.require("unshare", package: "util-linux")
        _ = try ExternalTool.require("ip", package: "iproute2")
        guard try ExternalTool.run(unshare, ["-n", "true"]).status == 0 else {
            if ExternalTool.isCI { XCTFail("CI must be able to create network namespaces") }
            throw XCTSkip("this root may not create network namespaces (a container without CAP_SYS_ADMIN?)")
        }
        let sh = try ExternalTool.require("sh", package: "dash")
        for host in ["host-a", "host-b", "host-c"] {
            let (script, bin, log, bundle) = try prepare(host)
            var environment = ["PATH": "\(bin.path):/usr/bin:/bin"]
            let text = String(decoding: bundle.file("esp/xfrm.sh")!.bytes, as: UTF8.self)
            let spis = Set(text.matches(of: #/ (?:in|out) ([0-9a-f]{8})/#).map { String($0.1).uppercased() })
            for spi in spis {
                environment["ESP_KEY_\(spi)"] = "0x" + String(repeating: "11", count: 36)
                environment["ESP_ENC_\(spi)"] = "0x" + String(repeating: "22", count: 16)
                environment["ESP_AUTH_\(spi)"] = "0x" + String(repeating: "33", count: 32)
            }
            XCTAssertEqual(try ExternalTool.run(sh, [script, "policies"], environment: environment).status, 0)
            let epochs = Set(text.matches(of: #/\n([0-9]+) [0-9]+ (?:in|out) /#).map { String($0.1) })
            XCTAssertFalse(epochs.isEmpty)
            for epoch in epochs.sorted() {
                XCTAssertEqual(try ExternalTool.run(sh, [script, "install", epoch], environment: environment).status, 0)
                XCTAssertEqual(try ExternalTool.run(sh, [script, "remove", epoch], environment: environment).status, 0)
            }
            let commands = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("xfrm ") }
            XCTAssertGreaterThan(commands.count, 10, host)
            // Each command to its own `ip` (ip stops at the first kernel refusal, which would
            // hide later parse errors).
            let loop = "while IFS= read -r line; do printf '%s\\n' \"$line\" | ip -batch - 2>&1 >/dev/null | head -1; done"
            let result = try ExternalTool.run(unshare, ["-n", "sh", "-c", loop], input: Array(commands.joined(separator: "\n").utf8 + [10]))
            XCTAssertEqual(result.status, 0, result.stderrText)
            for line in result.stdoutText.split(separator: "\n") where !line.hasPrefix("Command failed") {
                let kernel = ["algorithm not found", "type not found", "not supported", "No such file or directory", "No such process"]
                XCTAssertTrue(kernel.contains { line.contains($0) }, "\(host): ip refused a command: \(line)")
            }
        }
    }
}
