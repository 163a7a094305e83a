import SwiftASN1

/// DER encodings of RSA keys, through swift-asn1:
/// - PKCS#1 `RSAPublicKey` and `RSAPrivateKey` (RFC 8017 appendix A.1);
/// - X.509 `SubjectPublicKeyInfo` (RFC 5280 §4.1, algorithm rsaEncryption, RFC 3279);
/// - PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5208, RFC 5958), unencrypted.
public enum RSADER {
    /// rsaEncryption, 1.2.840.113549.1.1.1.
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]

    // MARK: Decoding

    /// A PKCS#1 `RSAPublicKey`: SEQUENCE { n, e }.
    public static func publicKey(pkcs1 der: [UInt8]) throws(RSAError) -> RSAPublicKey {
        let (n, e) = try parse("PKCS#1 public key") {
            try DER.sequence(DER.parse(der), identifier: .sequence) { nodes in
                (try ArraySlice<UInt8>(derEncoded: &nodes), try ArraySlice<UInt8>(derEncoded: &nodes))
            }
        }
        return try RSAPublicKey(modulus: n, exponent: e)
    }

    /// A `SubjectPublicKeyInfo` holding an rsaEncryption key.
    public static func publicKey(spki der: [UInt8]) throws(RSAError) -> RSAPublicKey {
        let (algorithm, key) = try parse("SubjectPublicKeyInfo") {
            try DER.sequence(DER.parse(der), identifier: .sequence) { nodes in
                let algorithm = try algorithmIdentifier(&nodes)
                let bits = try ASN1BitString(derEncoded: &nodes)
                guard bits.paddingBits == 0 else {
                    throw ASN1Error.invalidASN1Object(reason: "public key BIT STRING with padding bits")
                }
                return (algorithm, Array(bits.bytes))
            }
        }
        try checkAlgorithm(algorithm, "SubjectPublicKeyInfo")
        return try publicKey(pkcs1: key)
    }

    /// A PKCS#1 `RSAPrivateKey` (two primes, version 0).
    public static func privateKey(pkcs1 der: [UInt8]) throws(RSAError) -> RSAPrivateKey {
        let values = try parse("PKCS#1 private key") {
            try DER.sequence(DER.parse(der), identifier: .sequence) { nodes in
                let version = try Int(derEncoded: &nodes)
                var values: [ArraySlice<UInt8>] = []
                for _ in 0..<8 { values.append(try ArraySlice<UInt8>(derEncoded: &nodes)) }
                // Version 1 adds otherPrimeInfos (refused below); version 0 has nothing more.
                if version == 0, nodes.next() != nil {
                    throw ASN1Error.invalidASN1Object(reason: "data after the coefficient of a version 0 key")
                }
                while nodes.next() != nil {}
                return (version, values)
            }
        }
        guard values.0 == 0 else {
            throw RSAError(.unsupportedVersion, "the PKCS#1 private key has version \(values.0); only version 0 (two primes) is supported",
                           help: "multi-prime RSA keys are not supported; generate a two-prime key")
        }
        let v = values.1
        return try RSAPrivateKey(modulus: v[0], publicExponent: v[1], privateExponent: v[2], prime1: v[3], prime2: v[4],
                                 exponent1: v[5], exponent2: v[6], coefficient: v[7])
    }

    /// An unencrypted PKCS#8 `PrivateKeyInfo` holding an rsaEncryption key.
    public static func privateKey(pkcs8 der: [UInt8]) throws(RSAError) -> RSAPrivateKey {
        let (version, algorithm, key) = try parse("PKCS#8 private key") {
            try DER.sequence(DER.parse(der), identifier: .sequence) { nodes in
                let version = try Int(derEncoded: &nodes)
                let algorithm = try algorithmIdentifier(&nodes)
                let key = try ASN1OctetString(derEncoded: &nodes)
                while nodes.next() != nil {}  // [0] attributes, [1] public key: ignored
                return (version, algorithm, Array(key.bytes))
            }
        }
        guard version == 0 || version == 1 else {
            throw RSAError(.unsupportedVersion, "the PKCS#8 private key has version \(version); versions 0 and 1 are supported")
        }
        try checkAlgorithm(algorithm, "PKCS#8 private key")
        return try privateKey(pkcs1: key)
    }

    // MARK: Encoding

    /// PKCS#1 `RSAPublicKey`.
    public static func pkcs1(_ key: RSAPublicKey) -> [UInt8] {
        serialize { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(ArraySlice(key.modulusBytes))
                try coder.serialize(ArraySlice(key.exponentBytes))
            }
        }
    }

    /// `SubjectPublicKeyInfo` with algorithm rsaEncryption and NULL parameters.
    public static func spki(_ key: RSAPublicKey) -> [UInt8] {
        let inner = pkcs1(key)
        return serialize { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try writeAlgorithm(&coder)
                try coder.serialize(ASN1BitString(bytes: ArraySlice(inner)))
            }
        }
    }

    /// PKCS#1 `RSAPrivateKey`, version 0. The result holds key material: write it only to
    /// a private file.
    public static func pkcs1(_ key: RSAPrivateKey) -> [UInt8] {
        let values = key.components
        return serialize { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(0)
                for value in values { try coder.serialize(ArraySlice(value)) }
            }
        }
    }

    /// PKCS#8 `PrivateKeyInfo`, version 0, unencrypted.
    public static func pkcs8(_ key: RSAPrivateKey) -> [UInt8] {
        let inner = pkcs1(key)
        return serialize { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(0)
                try writeAlgorithm(&coder)
                try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(inner)))
            }
        }
    }

    // MARK: Helpers

    private static func algorithmIdentifier(_ nodes: inout ASN1NodeCollection.Iterator) throws -> ASN1ObjectIdentifier {
        guard let node = nodes.next() else {
            throw ASN1Error.invalidASN1Object(reason: "missing AlgorithmIdentifier")
        }
        return try DER.sequence(node, identifier: .sequence) { inner in
            let oid = try ASN1ObjectIdentifier(derEncoded: &inner)
            while inner.next() != nil {}  // parameters: NULL for rsaEncryption, may be absent
            return oid
        }
    }

    private static func checkAlgorithm(_ oid: ASN1ObjectIdentifier, _ what: String) throws(RSAError) {
        guard oid == rsaEncryption else {
            let name = otherAlgorithms["\(oid)"].map { "\($0) (\(oid))" } ?? "\(oid)"
            throw RSAError(.unsupportedAlgorithm, "the \(what) is for algorithm \(name), not rsaEncryption (1.2.840.113549.1.1.1)",
                           help: RSAError.onlyRSAHelp)
        }
    }

    /// The names of the key algorithms other tools make most, for the refusal above.
    private static let otherAlgorithms = [
        "1.2.840.10045.2.1": "EC (id-ecPublicKey)", "1.3.101.112": "Ed25519", "1.3.101.113": "Ed448",
        "1.3.101.110": "X25519", "1.3.101.111": "X448", "1.2.840.10040.4.1": "DSA",
        "1.2.840.113549.1.1.10": "RSASSA-PSS", "1.2.840.113549.1.3.1": "DH",
    ]

    private static func writeAlgorithm(_ coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(rsaEncryption)
            try coder.serialize(ASN1Null())
        }
    }

    private static func parse<T>(_ what: String, _ body: () throws -> T) throws(RSAError) -> T {
        do {
            return try body()
        } catch let error as ASN1Error {
            throw RSAError(.derMalformed, "the DER of the \(what) is malformed (\(error.code))",
                           help: "check that the file is complete and is a \(what)")
        } catch {
            throw RSAError(.derMalformed, "the DER of the \(what) is malformed")
        }
    }

    private static func serialize(_ body: (inout DER.Serializer) throws -> Void) -> [UInt8] {
        var coder = DER.Serializer()
        do {
            try body(&coder)
        } catch {
            // Serializing integers, OIDs and strings built here cannot fail.
            preconditionFailure("DER serialization of an RSA key failed: \(error)")
        }
        return coder.serializedBytes
    }
}
