@testable import Agent
import Foundation

/// One random ESP packet case for the engine cross-checks: key material for `suite`, a payload
/// (round 0–19: that many bytes; every tenth round a jumbo size up to 65,000; otherwise up to
/// 1500), SPI, sequence number, ESN setting and next header.
struct RandomESPCase {
    let material: [UInt8]
    let payload: [UInt8]
    let spi: UInt32
    let sequence: UInt64
    let extended: Bool
    let nextHeader: UInt8

    init(round: Int, suite: ESPSuite, using generator: inout SystemRandomNumberGenerator) {
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        material = bytes(suite.keyMaterialLength)
        let length = round < 20 ? round : round % 10 == 0 ? Int.random(in: 1500...65_000, using: &generator)
            : Int.random(in: 0...1500, using: &generator)
        payload = bytes(length)
        spi = UInt32.random(in: 256...UInt32.max, using: &generator)
        sequence = UInt64.random(in: 1...UInt64.max, using: &generator)
        extended = Bool.random(using: &generator)
        nextHeader = UInt8.random(in: 0...255, using: &generator)
    }

    var label: String { "length \(payload.count) key \(material) sequence \(sequence) extended \(extended)" }
}
