import Registrar
import RSA
import XCTest

/// The ESP secret a registrar shares for one vpxi: wrapped to the other registrar's key and
/// bound to the vpxi's name (RSA-OAEP label), so that another key or another vpxi cannot
/// unwrap it; the source never shows its secret.
final class VPXISecretTests: XCTestCase {
    func testSharedSecretUnwrapsOnlyWithTheRightKeyForTheRightVPXI() throws {
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let sophia = try RegistrarFixture.corpusKey("sophia")
        let source = try NodeBundleSource(masterSecret: Array(repeating: 7, count: 32))
        let wrapped = try XCTUnwrap(try source.wrappedSecret(vpxi: "span", for: sophia.publicKey))
        XCTAssertEqual(wrapped.count, sophia.publicKey.byteLength)
        let again = try XCTUnwrap(try source.wrappedSecret(vpxi: "span", for: sophia.publicKey))
        XCTAssertNotEqual(wrapped, again, "OAEP is randomized")

        let other = try NodeBundleSource(masterSecret: Array(repeating: 9, count: 32))
        XCTAssertNoThrow(try other.sharing(vpxi: "span", wrapped: wrapped, key: sophia))
        XCTAssertThrowsError(try other.sharing(vpxi: "span", wrapped: wrapped, key: lyon)) { error in
            XCTAssertEqual((error as? RegistrarError)?.code, .internal)
            XCTAssertTrue("\(error)".contains("does not unwrap"), "\(error)")
        }
        XCTAssertThrowsError(try other.sharing(vpxi: "seg", wrapped: wrapped, key: sophia), "the label binds it to `span`")
        let publicOnly = try RSAKeyFile.load(sophia.publicKeyBytes(.pem))
        XCTAssertThrowsError(try other.sharing(vpxi: "span", wrapped: wrapped, key: publicOnly), "no private key")

        XCTAssertEqual("\(source)", "NodeBundleSource(redacted)")
        XCTAssertThrowsError(try NodeBundleSource(masterSecret: Array(repeating: 7, count: 16)))
    }
}
