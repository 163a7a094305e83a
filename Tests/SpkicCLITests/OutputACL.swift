import Foundation
import SExpr
import XCTest

/// A machine's ACL in a compiled output: cut from its vpxi's ACLs file (`acl/<vpxi>`) at
/// the offset and length its manifest record gives, and written to a file of its own for
/// `spki reduce --acl`.
enum OutputACL {
    /// Writes the ACL of `vpxi/machine` in `output` to `destination`; returns `destination`.
    static func extract(_ output: String, vpxi: String, machine: String, to destination: String) throws -> String {
        let manifest = try SExpr.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output + "/manifest"))))
        let key = "\(vpxi)/\(machine)"
        let record = try XCTUnwrap(manifest.tail.first { $0.head == "acl" && $0.tail.first?.text == key }, "no ACL record for \(key)")
        func field(_ name: String) -> String? { record.first(name)?.tail.first?.text }
        let file = try XCTUnwrap(field("file")), offset = try XCTUnwrap(field("offset").flatMap { Int($0) })
        let length = try XCTUnwrap(field("length").flatMap { Int($0) })
        let bytes = try Data(contentsOf: URL(fileURLWithPath: output + "/" + file))
        XCTAssertLessThanOrEqual(offset + length, bytes.count, key)
        try bytes.subdata(in: offset..<min(bytes.count, offset + length)).write(to: URL(fileURLWithPath: destination))
        return destination
    }
}
