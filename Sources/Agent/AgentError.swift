/// An error of the agent, with a stable code.
///
/// Messages never contain key material.
public struct AgentError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// A security association is malformed (key length, SPI 0, times).
        case invalidAssociation = "A001"
        /// Two inbound security associations share an SPI.
        case duplicateSPI = "A002"
        /// The outbound sequence number space is exhausted; the SA must be rekeyed.
        case sequenceExhausted = "A003"
        /// A received ESP packet is too short or its trailer is malformed.
        case malformedPacket = "A004"
        /// The ICV did not verify.
        case authenticationFailed = "A005"
        /// The sequence number was seen already or lies left of the window.
        case replay = "A006"
        /// No security association for the SPI or the destination.
        case noAssociation = "A007"
        /// An authorized login is malformed.
        case invalidLogin = "A008"
        /// The agent's input file is malformed.
        case invalidInput = "A009"
        /// A system call failed (TUN, socket, file).
        case system = "A010"
        /// A key could not be unwrapped with the host key.
        case unwrapFailed = "A011"
        /// A bundle is not whole or authentic, or its content is not what the agent can
        /// enforce (the message carries the back ends' `Bnnn` code when there is one).
        case bundleRefused = "A012"
        /// A login's chain does not reduce to an ssh grant on its VM at the time.
        case chainRefused = "A013"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
