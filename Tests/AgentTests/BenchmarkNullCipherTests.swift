@testable import Agent
import Foundation
import RSA
import TestSupport
import XCTest

/// The benchmark-only null transform (`vpxi-agent run --benchmark-null-cipher`, used by
/// `scripts/bench-agent`'s `BENCH_NULL` to measure the relay without AES-GCM): what it puts
/// on the wire, that it is refused without its confirmation, with a bundle, or without a data
/// plane, and that an AES-GCM peer drops what it sends.
final class BenchmarkNullCipherTests: XCTestCase {
    private let variable = AgentRuntime.Options.benchmarkNullCipherVariable

    func testNullTransformCarriesThePayloadInClearAndAESGCMRefusesIt() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<40 {
            let random = RandomESPCase(round: round, suite: .aes128GCM, using: &generator)
            let null = try ESPCodec.Keys(suite: .aes128GCM, material: random.material, engine: .libcrypto, benchmarkNullCipher: true)
            let real = try ESPCodec.Keys(suite: .aes128GCM, material: random.material)
            let packet = try ESPCodec.seal(payload: random.payload, nextHeader: random.nextHeader, spi: random.spi,
                                           sequence: random.sequence, extended: random.extended, keys: null)
            let context = random.label
            XCTAssertEqual(packet.count, ESPCodec.sealedLength(payload: random.payload.count, suite: .aes128GCM), context)
            XCTAssertEqual(Array(packet[16..<(16 + random.payload.count)]), random.payload, "\(context): payload in clear")
            XCTAssertEqual(Array(packet.suffix(16)), [UInt8](repeating: 0, count: 16), "\(context): zero ICV")
            XCTAssertEqual(packet[packet.count - 17], random.nextHeader, context)
            let opened = try ESPCodec.open(packet: packet, spi: random.spi, sequence: random.sequence, extended: random.extended, keys: null)
            XCTAssertEqual(opened.payload, random.payload, context)
            XCTAssertThrowsError(try ESPCodec.open(packet: packet, spi: random.spi, sequence: random.sequence,
                                                   extended: random.extended, keys: real), context) { error in
                XCTAssertEqual((error as? AgentError)?.code, .authenticationFailed, context)
            }
            // The data plane's forms: sealed from where the payload lies, and in two parts.
            var buffer = random.payload + [UInt8](repeating: 0xA5, count: ESPCodec.maximumOverhead)
            var output = [UInt8](repeating: 0xEE, count: packet.count)
            _ = try buffer.withUnsafeMutableBytes { buffer in
                try output.withUnsafeMutableBytes { output in
                    try ESPCodec.seal(payloadCount: random.payload.count, inPlace: buffer, nextHeader: random.nextHeader, spi: random.spi,
                                      sequence: random.sequence, extended: random.extended, keys: null, into: output)
                }
            }
            XCTAssertEqual(output, packet, "\(context): in place")
            let cut = random.payload.count / 3
            output = [UInt8](repeating: 0xEE, count: packet.count)
            let parts = try random.payload.withUnsafeBytes { raw in
                try output.withUnsafeMutableBytes { output in
                    try ESPCodec.seal(head: UnsafeRawBufferPointer(rebasing: raw[0..<cut]), body: UnsafeRawBufferPointer(rebasing: raw[cut...]),
                                      nextHeader: random.nextHeader, spi: random.spi, sequence: random.sequence, extended: random.extended,
                                      keys: null, into: output)
                }
            }
            XCTAssertEqual(parts, packet.count, context)
            XCTAssertEqual(output, packet, "\(context): in parts")
        }
    }

    func testNullTransformOnlyReplacesAESGCMThroughLibcrypto() {
        let material = [UInt8](repeating: 7, count: ESPSuite.aes128CBCHMACSHA256.keyMaterialLength)
        XCTAssertThrowsError(try ESPCodec.Keys(suite: .aes128CBCHMACSHA256, material: material, engine: .libcrypto, benchmarkNullCipher: true))
        XCTAssertThrowsError(try ESPCodec.Keys(suite: .aes128GCM, material: Array(material[0..<20]), engine: .swiftCrypto,
                                               benchmarkNullCipher: true))
        XCTAssertFalse(AssociationTable().benchmarkNullCipher, "off by default")
    }

    func testEnablingNeedsTheVariableAnInputFileAndADataPlane() throws {
        func options(_ source: AgentSource, tun: String? = "vpxt0") throws -> AgentRuntime.Options {
            AgentRuntime.Options(source: source, stateDirectory: "/nonexistent", authorizedKeysDirectory: nil, tunName: tun,
                                 listen: try Locator(parsing: "127.0.0.1:10500"))
        }
        let confirmed = [variable.name: variable.value]
        var input = try options(.input(path: "/nonexistent/input.json"))
        XCTAssertFalse(input.benchmarkNullCipher)
        for environment in [[:], [variable.name: "1"], ["OTHER": variable.value]] {
            XCTAssertThrowsError(try input.enableBenchmarkNullCipher(environment: environment)) { error in
                XCTAssertEqual((error as? AgentError)?.code, .invalidInput)
                XCTAssertTrue("\(error)".contains(variable.name), "\(error)")
            }
            XCTAssertFalse(input.benchmarkNullCipher)
        }
        let registrar = try BundleLab.key("registrar")
        var bundle = try options(.bundle(directory: "/nonexistent", registrar: registrar))
        XCTAssertThrowsError(try bundle.enableBenchmarkNullCipher(environment: confirmed)) { error in
            XCTAssertTrue("\(error)".contains("never with a bundle"), "\(error)")
        }
        XCTAssertFalse(bundle.benchmarkNullCipher)
        var noPlane = try options(.input(path: "/nonexistent/input.json"), tun: nil)
        XCTAssertThrowsError(try noPlane.enableBenchmarkNullCipher(environment: confirmed))
        try input.enableBenchmarkNullCipher(environment: confirmed)
        XCTAssertTrue(input.benchmarkNullCipher)
    }

    func testTheCommandRefusesTheFlagWithoutTheVariable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vpxi-null-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment[variable.name] = nil
        let result = try ExternalTool.run(PackagePaths.executable("vpxi-agent"),
                                          ["run", "--input", directory.appendingPathComponent("input.json").path, "--key", "/nonexistent.key",
                                           "--state", directory.path, "--tun", "vpxnull0", "--benchmark-null-cipher"],
                                          environment: environment)
        XCTAssertEqual(result.status, 2, result.stderrText)
        XCTAssertTrue(result.stderrText.contains("benchmarks only") && result.stderrText.contains(variable.name), result.stderrText)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("status.json").path), "nothing started")
    }

    /// Two agents in the null transform carry TCP and UDP between the HITs, the payload in
    /// clear on the veth; an AES-GCM agent drops what a null agent sends.
    func testNullAgentsCarryTrafficInClearAndAnAESGCMPeerDropsIt() throws {
        try NamespaceLab.requireRoot()
        for nullOnB in [true, false] {
            let lab = try NamespaceLab()
            defer { lab.close() }
            try lab.writeInputs([NamespaceLab.epoch(0, start: Date().addingTimeInterval(-60), end: Date().addingTimeInterval(3600))])
            try lab.startAgents(nullCipher: nullOnB ? ["a", "b"] : ["a"])
            XCTAssertTrue(lab.agentLog(lab.a).contains("BENCHMARK MODE"), lab.agentLog(lab.a))
            let probe = "null-cipher-probe-\(UInt32.random(in: 0...UInt32.max))"
            let capture = try lab.captureProbe(probe, file: "null.pcap", filter: ["udp", "and", "dst", "port", "10500"])
            let packets = try PcapReader.udpPayloads(path: capture)
            XCTAssertTrue(packets.contains { Data($0).range(of: Data(probe.utf8)) != nil }, "the probe in clear on the veth: \(packets.count) packets")
            let status = try lab.status(lab.b, after: Date().addingTimeInterval(0.3))
            if nullOnB {
                XCTAssertEqual(status.totals.packetsIn, 1)
                XCTAssertEqual(status.totals.authenticationFailures, 0)
                let tcp = try lab.iperf(udp: false, seconds: 1, rate: "5M")
                let received = ((tcp["end"] as? [String: Any])?["sum_received"] as? [String: Any])?["bytes"] as? Double ?? 0
                XCTAssertGreaterThan(received, 100_000, "TCP between the HITs through the null transform")
            } else {
                XCTAssertEqual(status.totals.packetsIn, 0, "an AES-GCM agent accepts nothing from a null one")
                XCTAssertGreaterThanOrEqual(status.totals.authenticationFailures, 1)
                XCTAssertFalse(lab.agentLog(lab.b).contains("BENCHMARK MODE"))
            }
        }
    }
}
