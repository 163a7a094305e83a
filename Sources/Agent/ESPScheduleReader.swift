import Backends
import Foundation
import RSA
import SExpr
import SPKI

/// Reads a verified bundle's `esp.sexp` (Docs/nodes.md) into the agent's security
/// associations: one per link end and epoch, both keys unwrapped with the host key
/// (RSA-OAEP, SHA-256). All or nothing: the first problem refuses the whole schedule.
enum ESPScheduleReader {
    static func read(_ bytes: [UInt8], host: String, hostKey: RSAPrivateKey, port: UInt16 = 10500) throws(AgentError) -> [SecurityAssociation] {
        let value = try SExprFields.parse(bytes, file: "esp.sexp")
        guard value.head == "esp-schedule" else { throw SExprFields.malformed("esp.sexp", "it is not an `(esp-schedule …)`") }
        let fields = SExprFields(value, file: "esp.sexp")
        guard try fields.text("version") == "1" else { throw SExprFields.malformed("esp.sexp", "version is not 1") }
        guard try fields.text("host") == host else {
            throw SExprFields.malformed("esp.sexp", "it is for host `\(try fields.text("host"))`, not `\(host)`")
        }
        let bits = try fields.text("sequence-number-bits")
        guard bits == "64" || bits == "32" else { throw SExprFields.malformed("esp.sexp", "sequence-number-bits is \(bits), not 64 or 32") }
        guard let window = Int(try fields.text("replay-window")) else { throw SExprFields.malformed("esp.sexp", "bad replay-window") }
        var associations: [SecurityAssociation] = []
        for end in value.tail where end.head == "link-end" {
            let link = SExprFields(end, file: "esp.sexp")
            let name = "link end \(try link.text("vm")) -> \(try link.text("peer"))"
            let suiteName = try link.text("suite")
            guard let bundleSuite = Backends.ESPSuite(rawValue: suiteName) else {
                throw SExprFields.malformed("esp.sexp", "\(name): unknown suite `\(suiteName)`")
            }
            guard let suite = ESPSuite(bundleSuite: bundleSuite) else {
                throw AgentError(.bundleRefused, "\(name): suite `\(suiteName)` is not implemented by this agent's data plane")
            }
            let localHIT = try hit(link.text("local-hit"), name)
            let peerHIT = try hit(link.text("peer-hit"), name)
            let peerAddress = try link.text("peer-locator")
            let peer: Locator
            do {
                peer = try Locator(address: peerAddress, port: port)
            } catch {
                throw AgentError(.bundleRefused, "\(name): peer locator `\(peerAddress)` is not one this agent's data plane can use: \(error.message)")
            }
            for epoch in end.tail where epoch.head == "epoch" {
                let fields = SExprFields(epoch, file: "esp.sexp")
                let spiIn = try spi(fields.list("inbound"), name)
                let spiOut = try spi(fields.list("outbound"), name)
                guard let wrapped = try fields.list("keys").tail.first?.atomBytes else {
                    throw SExprFields.malformed("esp.sexp", "\(name): `(keys …)` holds no key")
                }
                let length = bundleSuite.keyMaterialLength
                var keys: [UInt8]
                do {
                    keys = try hostKey.decryptOAEP(wrapped)
                } catch {
                    throw AgentError(.unwrapFailed, "\(name), SPI \(ESPCodec.hex(spiIn)): the keys are not wrapped to this host's key")
                }
                defer { for index in keys.indices { keys[index] = 0 } }
                guard keys.count == 2 * length else {
                    throw AgentError(.unwrapFailed, "\(name), SPI \(ESPCodec.hex(spiIn)): \(keys.count) bytes of keys, not \(2 * length)")
                }
                let association = SecurityAssociation(
                    spiIn: spiIn, spiOut: spiOut, suite: suite,
                    keyIn: Array(keys[0..<length]), keyOut: Array(keys[length...]),
                    localHIT: localHIT, peerHIT: peerHIT, peerLocator: peer,
                    start: try fields.date("start"), end: try fields.date("end"), linkExpiry: try fields.date("expires"),
                    extendedSequenceNumbers: bits == "64", replayWindow: window)
                try association.validate()
                associations.append(association)
            }
        }
        return associations
    }

    static func hit(_ text: String, _ name: String) throws(AgentError) -> HIT {
        guard let hit = HIT(text: text) else { throw SExprFields.malformed("esp.sexp", "\(name): `\(text)` is not a HIT") }
        return hit
    }

    static func spi(_ value: SExpr, _ name: String) throws(AgentError) -> UInt32 {
        let text = try SExprFields(value, file: "esp.sexp").text("spi")
        guard text.hasPrefix("0x"), let spi = UInt32(text.dropFirst(2), radix: 16) else {
            throw SExprFields.malformed("esp.sexp", "\(name): bad SPI `\(text)`")
        }
        return spi
    }
}

extension ESPSuite {
    /// The data plane's suite for a bundle's suite: the case with the same name (raw value,
    /// or else case name, so that a suite the data plane gains maps without a change here);
    /// nil when the data plane lacks it.
    public init?(bundleSuite: Backends.ESPSuite) {
        guard let suite = ESPSuite(rawValue: bundleSuite.rawValue)
                ?? ESPSuite.allCases.first(where: { String(describing: $0) == String(describing: bundleSuite) }) else { return nil }
        self = suite
    }
}
