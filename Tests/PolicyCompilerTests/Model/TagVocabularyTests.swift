import SPKI
import XCTest
@testable import PolicyCompiler

final class TagVocabularyTests: XCTestCase {
    private func right(_ name: String, _ arguments: [PolicyModel.Right.Argument]? = nil) -> PolicyModel.Right {
        PolicyModel.Right(name: name, arguments: arguments)
    }

    func testGrantTags() {
        XCTAssertEqual(TagVocabulary.grantTag([right("ssh")]).description, "ssh")
        XCTAssertEqual(TagVocabulary.grantTag([right("*"), right("ssh")]), .all)
        XCTAssertEqual(TagVocabulary.grantTag([right("file", [.name("read"), .name("write"), .text("/data")])]).description,
                       "(file (* set read write) (* prefix /data))")
        XCTAssertEqual(TagVocabulary.grantTag([right("console"), right("ssh")]).description, "(* set console ssh)")
    }

    func testRequestsAreAllowedExactlyByTheirGrants() {
        let grant = TagVocabulary.grantTag([right("ssh"), right("file", [.name("read"), .text("/data/study-42")])])
        XCTAssertTrue(grant.includes(TagVocabulary.requestTag(right("ssh"))))
        XCTAssertTrue(grant.includes(TagVocabulary.requestTag(right("file", [.name("read"), .text("/data/study-42/scan.dcm")]))))
        XCTAssertFalse(grant.includes(TagVocabulary.requestTag(right("file", [.name("write"), .text("/data/study-42/scan.dcm")]))))
        XCTAssertFalse(grant.includes(TagVocabulary.requestTag(right("file", [.name("read"), .text("/etc/passwd")]))))
        XCTAssertFalse(grant.includes(TagVocabulary.requestTag(right("console"))))
        XCTAssertTrue(TagVocabulary.grantTag([right("*")]).includes(TagVocabulary.requestTag(right("console"))))
    }

    func testResourceTagsSeparateMachines() {
        let a = LargePolicy.fakeKey(1), b = LargePolicy.fakeKey(2)
        let rights = TagVocabulary.grantTag([right("ssh")])
        let onA = TagVocabulary.resourceTag(vpxi: "v", resource: a, rights: rights)
        XCTAssertTrue(onA.includes(TagVocabulary.resourceTag(vpxi: "v", resource: a, rights: TagVocabulary.requestTag(right("ssh")))))
        XCTAssertFalse(onA.includes(TagVocabulary.resourceTag(vpxi: "v", resource: b, rights: TagVocabulary.requestTag(right("ssh")))))
        XCTAssertFalse(onA.includes(TagVocabulary.resourceTag(vpxi: "w", resource: a, rights: TagVocabulary.requestTag(right("ssh")))))
    }
}
