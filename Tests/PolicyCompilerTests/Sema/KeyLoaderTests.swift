import PolicyLanguage
import XCTest
@testable import PolicyCompiler

final class KeyLoaderTests: XCTestCase {
    func testFormatsAreDetectedAndCheckedAgainstTheDeclaredOne() throws {
        let pem = try Fixtures.read(Fixtures.policyPath("ok", "keys/carol.pem")).get()
        let ssh = try Fixtures.read(Fixtures.policyPath("ok", "keys/bob.ssh.pub")).get()
        let sexp = try Fixtures.read(Fixtures.policyPath("ok", "keys/alice.pub")).get()
        XCTAssertEqual(try KeyLoader.decode(pem, format: .detect, origin: "x").algorithm, "rsa-2048")
        XCTAssertEqual(try KeyLoader.decode(pem, format: .pem, origin: "x").algorithm, "rsa-2048")
        XCTAssertNotNil(try KeyLoader.decode(ssh, format: .openssh, origin: "x").sshLine)
        XCTAssertNil(try KeyLoader.decode(sexp, format: .spki, origin: "x").sshLine)
        XCTAssertThrowsError(try KeyLoader.decode(sexp, format: .openssh, origin: "x")) { error in
            guard case .invalid(let message, _) = error as? KeyLoader.Failure else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("declared `openssh` but is written as an SPKI S-expression"), message)
        }
    }

    func testPrivateKeysAndGarbageAreRefused() throws {
        let secret = try Fixtures.read(PackagePathsKeys.alicePrivate).get()
        XCTAssertThrowsError(try KeyLoader.decode(secret, format: .detect, origin: "x")) { error in
            guard case .invalid(let message, _) = error as? KeyLoader.Failure else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("holds a private key"), message)
        }
        XCTAssertThrowsError(try KeyLoader.decode(Array("hello".utf8), format: .detect, origin: "x"))
        XCTAssertThrowsError(try KeyLoader.decode(Array("ssh-ed25519 AAAA broken".utf8), format: .detect, origin: "x"))
        XCTAssertThrowsError(try KeyLoader.decode(Array("ssh-dss AAAAB3NzaC1kc3MAAACBAP".utf8), format: .detect, origin: "x"))
    }

    func testEd25519KeysArePrincipalsThatCannotSign() throws {
        let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHxbP0dR0s8XeoYvO9mnqUf4mWmQK1rU5pPjL9sYx3fE dave@hospital"
        let key = try KeyLoader.decode(Array(line.utf8), format: .detect, origin: "inline")
        XCTAssertEqual(key.algorithm, "ssh-ed25519")
        XCTAssertFalse(key.canSign)
        XCTAssertNil(key.rsa)
        XCTAssertEqual(key.sshLine, line)
        // The same key twice is the same principal.
        XCTAssertEqual(try KeyLoader.decode(Array((line + "\n").utf8), format: .openssh, origin: "x").id, key.id)
    }

    func testPathsAreRelativeToThePolicyFile() {
        let loader = KeyLoader(read: { path in
            path == "/policies/keys/a.pub" ? Fixtures.read(Fixtures.policyPath("ok", "keys/alice.pub")) : .failure(.init(reason: "No such file"))
        })
        let reference = KeyReference(format: .detect, isInline: false, text: StringLiteral("keys/a.pub", range: .init(file: .init(rawValue: 0), at: 0)),
                                     range: .init(file: .init(rawValue: 0), at: 0))
        if case .failure(let failure) = loader.load(reference, policyPath: "/policies/p.vp") { XCTFail("\(failure)") }
        if case .success = loader.load(reference, policyPath: "/elsewhere/p.vp") { XCTFail("resolved against the wrong directory") }
    }
}

enum PackagePathsKeys {
    static var alicePrivate: String { Fixtures.policyPath("ok", "../../keys/alice.key") }
}
