import Foundation
import RSA

/// The agent's own input file (JSON): SAs with keys wrapped to the host key with
/// RSA-OAEP (base64), and authorized logins. It stands for what a verified bundle
/// provides; a bundle reader maps onto `SecurityAssociation` and `AuthorizedLogin` directly.
public struct AgentInput: Sendable, Codable, Equatable {
    public struct Association: Sendable, Codable, Equatable {
        public var spiIn: UInt32
        public var spiOut: UInt32
        public var suite: ESPSuite
        /// base64 of RSA-OAEP(host public key, key || salt).
        public var keyIn: String
        public var keyOut: String
        public var localHIT: HIT
        public var peerHIT: HIT
        /// `ADDR:PORT` (IPv4).
        public var peer: String
        public var start: Date
        public var end: Date
        public var linkExpiry: Date?
        public var esn: Bool?
        public var replayWindow: Int?

        enum CodingKeys: String, CodingKey {
            case spiIn = "spi_in", spiOut = "spi_out", suite, keyIn = "key_in", keyOut = "key_out"
            case localHIT = "local_hit", peerHIT = "peer_hit", peer, start, end, linkExpiry = "link_expiry"
            case esn, replayWindow = "replay_window"
        }

        public init(spiIn: UInt32, spiOut: UInt32, suite: ESPSuite, keyIn: String, keyOut: String, localHIT: HIT,
                    peerHIT: HIT, peer: String, start: Date, end: Date, linkExpiry: Date? = nil,
                    esn: Bool? = nil, replayWindow: Int? = nil) {
            self.spiIn = spiIn
            self.spiOut = spiOut
            self.suite = suite
            self.keyIn = keyIn
            self.keyOut = keyOut
            self.localHIT = localHIT
            self.peerHIT = peerHIT
            self.peer = peer
            self.start = start
            self.end = end
            self.linkExpiry = linkExpiry
            self.esn = esn
            self.replayWindow = replayWindow
        }
    }

    public var associations: [Association]
    public var logins: [AuthorizedLogin]

    public init(associations: [Association] = [], logins: [AuthorizedLogin] = []) {
        self.associations = associations
        self.logins = logins
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return encoder
    }()

    public static func decode(_ bytes: [UInt8]) throws(AgentError) -> AgentInput {
        do {
            return try decoder.decode(AgentInput.self, from: Data(bytes))
        } catch {
            throw AgentError(.invalidInput, "the agent input is not valid: \(error)")
        }
    }

    /// Wraps key material to `publicKey` (for producers and tests).
    public static func wrap(_ material: [UInt8], to publicKey: RSAPublicKey) throws -> String {
        Data(try publicKey.encryptOAEP(material)).base64EncodedString()
    }

    /// Unwraps every key with the host key and checks every SA and login; all or nothing.
    public func resolve(hostKey: RSAPrivateKey) throws(AgentError) -> (associations: [SecurityAssociation], logins: [AuthorizedLogin]) {
        var resolved = [SecurityAssociation]()
        for entry in associations {
            let association = SecurityAssociation(
                spiIn: entry.spiIn, spiOut: entry.spiOut, suite: entry.suite,
                keyIn: try Self.unwrap(entry.keyIn, hostKey, spi: entry.spiIn),
                keyOut: try Self.unwrap(entry.keyOut, hostKey, spi: entry.spiOut),
                localHIT: entry.localHIT, peerHIT: entry.peerHIT, peerLocator: try Locator(parsing: entry.peer),
                start: entry.start, end: entry.end, linkExpiry: entry.linkExpiry,
                extendedSequenceNumbers: entry.esn ?? true, replayWindow: entry.replayWindow ?? 64)
            try association.validate()
            resolved.append(association)
        }
        for login in logins { try login.validate() }
        return (resolved, logins)
    }

    static func unwrap(_ wrapped: String, _ hostKey: RSAPrivateKey, spi: UInt32) throws(AgentError) -> [UInt8] {
        guard let bytes = Data(base64Encoded: wrapped) else {
            throw AgentError(.unwrapFailed, "the key of SPI \(ESPCodec.hex(spi)) is not base64")
        }
        do {
            return try hostKey.decryptOAEP(Array(bytes))
        } catch {
            throw AgentError(.unwrapFailed, "the key of SPI \(ESPCodec.hex(spi)) is not wrapped to this host's key")
        }
    }
}
