import Foundation
import RSA
import TestSupport
import XCTest
@testable import PolicyCompiler

final class KeyStoreDirectoryTests: XCTestCase {
    func testLookupOrderAndPublicOnlyEntries() throws {
        let first = try CompileFixture.temporaryDirectory(self)
        let store = KeyStoreDirectory(directories: [first, PackagePaths.corpus("keys").path])
        guard case .privateKey(_, let path)? = try store.entry(for: .user("alice")) else { return XCTFail("alice.key") }
        XCTAssertTrue(path.hasSuffix("corpus/keys/alice.key"))
        XCTAssertNil(try store.entry(for: .user("nobody")))
        // A public key alone: found, as such.
        try FileManager.default.createDirectory(atPath: first + "/v", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: PackagePaths.corpus("policies/ok/keys").path + "/erin.pub", toPath: first + "/v/m[1].pub")
        guard case .publicKey? = try store.entry(for: .machine(vpxi: "v", machine: "m[1]")) else { return XCTFail("v/m[1].pub") }
        // A .key that holds a public key is refused.
        try FileManager.default.copyItem(atPath: first + "/v/m[1].pub", toPath: first + "/v/m[2].key")
        XCTAssertThrowsError(try store.entry(for: .machine(vpxi: "v", machine: "m[2]")))
    }

    func testGeneratedKeysArePrivateFiles() throws {
        let directory = try CompileFixture.temporaryDirectory(self)
        let store = KeyStoreDirectory(directories: [directory])
        let key = try store.generate(.machine(vpxi: "v", machine: "w[1]"))
        XCTAssertEqual(key.publicKey.bitLength, 2048)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/v/w[1].key")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/v/w[1].pub"))
        guard case .privateKey(let loaded, _)? = try store.entry(for: .machine(vpxi: "v", machine: "w[1]")) else { return XCTFail() }
        XCTAssertEqual(loaded.publicKey, key.publicKey)
    }

    func testAPrivateKeyThatIsNotTheDeclaredOneIsRefused() throws {
        let directory = try CompileFixture.temporaryDirectory(self)
        // alice.key in the store is erin's key.
        try FileManager.default.copyItem(atPath: PackagePaths.corpus("keys").path + "/erin.key", toPath: directory + "/alice.key")
        let analysis = try CompileFixture.analysis("with-include")
        var model = analysis.model
        model.users.append(PolicyModel.User(name: "alice", key: Fixtures.model(Fixtures.pool).users[0].key, communities: [], clearance: nil,
                                            range: model.users[0].range))
        XCTAssertThrowsError(try ResolvedKeys.resolve(model, store: KeyStoreDirectory(directories: [directory, PackagePaths.corpus("vm-keys").path]),
                                                      generateMissing: false)) { error in
            XCTAssertTrue("\(error)".contains("is not the private half of the key the policy declares for user `alice`"), "\(error)")
        }
    }

    func testMachinesWithoutKeysAreAnErrorUnlessGenerated() throws {
        let analysis = try CompileFixture.analysis("with-include")
        let empty = try CompileFixture.temporaryDirectory(self)
        XCTAssertThrowsError(try ResolvedKeys.resolve(analysis.model, store: KeyStoreDirectory(directories: [empty]), generateMissing: false)) { error in
            XCTAssertTrue("\(error)".contains("has no key for 1 machine (`tiny/only`)"), "\(error)")
        }
        let keys = try ResolvedKeys.resolve(analysis.model, store: KeyStoreDirectory(directories: [empty]), generateMissing: true)
        XCTAssertEqual(keys.generated, [.machine(vpxi: "tiny", machine: "only")])
        XCTAssertNotNil(keys.signers[keys.machines[0][0].id])
        XCTAssertNil(keys.signers[analysis.model.registrars[0].key.id], "the registrar's private key is not in this store")
    }

    func testAFileGivenAsTheKeyFolderIsNamedAsSuch() throws {
        let analysis = try CompileFixture.analysis("with-include")
        let directory = try CompileFixture.temporaryDirectory(self)
        let file = directory + "/keys.txt"
        try Data("not a folder\n".utf8).write(to: URL(fileURLWithPath: file))
        for generate in [false, true] {
            XCTAssertThrowsError(try ResolvedKeys.resolve(analysis.model, store: KeyStoreDirectory(directories: [file]), generateMissing: generate)) { error in
                XCTAssertEqual("\(error)", "`\(file)`: is a file, not a folder: --keys names a folder holding the keys (`NAME.key`, `NAME.pub`)")
            }
        }
        // A folder that does not exist: the missing keys are reported, and why.
        let absent = directory + "/no-such-folder"
        XCTAssertThrowsError(try ResolvedKeys.resolve(analysis.model, store: KeyStoreDirectory(directories: [absent]), generateMissing: false)) { error in
            XCTAssertTrue("\(error)".contains("has no key for 1 machine (`tiny/only`) (`\(absent)` does not exist)"), "\(error)")
        }
    }
}
