import ActivityPub
import Crypto
import Foundation
import Testing
import _CryptoExtras

/// One RSA key pair per role, generated once per test run.
private enum Keys {
    static let alice = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let mallory = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
}

private let aliceKeyId = "https://a.example/users/alice#main-key"
/// Tue, 20 Feb 2024 10:00:00 GMT
private let signedAt = Date(timeIntervalSince1970: 1_708_423_200)
private let body = Array(#"{"type":"Create","actor":"https://a.example/users/alice"}"#.utf8)

private func inboxPost(path: String = "/users/bob/inbox") -> SignedRequest {
    SignedRequest(
        method: "POST", path: path,
        headers: ["Host": "b.example", "Content-Type": "application/activity+json", "User-Agent": "test"],
        body: body)
}

private func signedPost(path: String = "/users/bob/inbox", headers: [String] = CavageSigner.mastodonPostHeaders)
    throws -> SignedRequest
{
    var request = inboxPost(path: path)
    try CavageSigner.sign(&request, keyId: aliceKeyId, privateKey: Keys.alice, headers: headers, now: signedAt)
    return request
}

private func verify(_ request: SignedRequest, key: _RSA.Signing.PrivateKey = Keys.alice, now: Date = signedAt)
    throws(SignatureError) -> VerifiedSignature
{
    try CavageVerifier.verify(request, publicKeyPEM: key.publicKey.pemRepresentation, now: now)
}


/// Replaces one `name="value"` parameter of the request's Signature header.
private func editSignature(_ request: inout SignedRequest, _ edit: (String) -> String) {
    request.headers.set("Signature", edit(request.headers.combined("Signature")!))
}

@Suite struct SignatureHeaderParsingTests {
    @Test(arguments: [
        (
            #"keyId="k#main-key",algorithm="rsa-sha256",headers="(request-target) host date",signature="c2ln""#,
            HTTPSignature.Algorithm.rsaSHA256, ["(request-target)", "host", "date"]
        ),
        (#" keyId = "k" , algorithm = "RSA-SHA256" , signature = "c2ln" "#, .rsaSHA256, ["date"]),
        (#"keyId="k",signature="c2ln""#, .hs2019, ["(created)"]),
        (
            #"keyId="k",algorithm=hs2019,created=1708423200,headers="(created) Digest",signature="c2ln""#, .hs2019,
            ["(created)", "digest"]
        ),
    ])
    func parsesWithDefaults(header: String, algorithm: HTTPSignature.Algorithm, headers: [String]) throws {
        let signature = try HTTPSignature(parsing: header)
        #expect(signature.algorithm == algorithm)
        #expect(signature.headers == headers)
        #expect(signature.signature == "c2ln")
    }

    @Test func parsesTheMastodon250CaptureHeader() throws {
        // Transcribed from PeerTube's test fixture of a real Mastodon 2.5.0 delivery.
        let signature = try HTTPSignature(parsing: PeerTubeCapture.signature)
        #expect(signature.keyId == "http://localhost:3000/users/ronan2#main-key")
        #expect(signature.algorithm == .rsaSHA256)
        #expect(signature.headers == ["(request-target)", "host", "date", "digest", "content-type"])
        #expect(Data(base64Encoded: signature.signature)?.count == 256)
    }

    @Test(arguments: [
        (#"algorithm="rsa-sha256",signature="c2ln""#, SignatureError.Code.malformedHeader),
        (#"keyId="k",algorithm="rsa-sha256""#, .malformedHeader),
        (#"keyId="k",signature="c2ln"#, .malformedHeader),
        (#"keyId="k" signature="c2ln""#, .malformedHeader),
        (#"keyId="k",keyId="j",signature="c2ln""#, .malformedHeader),
        (#"keyId,signature="c2ln""#, .malformedHeader),
        (#"keyId="k",signature="c2ln",headers="""#, .malformedHeader),
        (#"keyId="k",signature="c2ln",created="yesterday""#, .malformedHeader),
        ("", .malformedHeader),
        (#"keyId="k",algorithm="rsa-sha512",signature="c2ln""#, .unsupportedAlgorithm),
        (#"keyId="k",algorithm="ed25519",signature="c2ln""#, .unsupportedAlgorithm),
    ])
    func rejectsMalformedHeaders(header: String, expected: SignatureError.Code) {
        #expect(code { () throws(SignatureError) in try HTTPSignature(parsing: header) } == expected)
    }
}

@Suite struct CavageSignatureTests {
    @Test func signsAsMastodonDoes() throws {
        let request = try signedPost()
        #expect(request.headers.combined("Date") == "Tue, 20 Feb 2024 10:00:00 GMT")
        let digest = Data(SHA256.hash(data: body)).base64EncodedString()
        #expect(request.headers.combined("Digest") == "SHA-256=\(digest)")
        let header = try #require(request.headers.combined("Signature"))
        #expect(
            header.hasPrefix(
                #"keyId="https://a.example/users/alice#main-key",algorithm="rsa-sha256","#
                    + #"headers="(request-target) host date digest content-type",signature=""#))
        #expect(header.hasSuffix("\""))
    }

    @Test func roundTripVerifies() throws {
        let verified = try verify(signedPost())
        #expect(verified.keyId == aliceKeyId)
        #expect(verified.expectedActorId == "https://a.example/users/alice")
        #expect(verified.algorithm == .rsaSHA256)
        #expect(verified.signedHeaders == CavageSigner.mastodonPostHeaders)
        #expect(verified.created == signedAt)
        #expect(!verified.usedRequestTargetWithoutQuery)
    }

    @Test func headerNamesMatchCaseInsensitively() throws {
        var request = try signedPost()
        let fields = request.headers.fields
        request.headers = SignedRequest.Headers()
        for field in fields { request.headers.add(field.name.uppercased(), field.value) }
        #expect(try verify(request).keyId == aliceKeyId)
    }

    enum Tamper: String, CaseIterable, CustomTestStringConvertible {
        case bodyChanged, digestRemoved, dateTwoHoursOld, dateTwoHoursAhead, signatureBytesChanged, anotherKey
        case postWithoutDigestCovered, unsupportedAlgorithm, malformedHeader, signatureRemoved, signedHeaderAbsent
        case digestWithoutSHA256, digestNot32Bytes, keyNotPEM, hostChanged

        var testDescription: String { rawValue }

        var expected: SignatureError.Code {
            switch self {
            case .bodyChanged, .digestNot32Bytes: .digestMismatch
            case .digestRemoved, .digestWithoutSHA256: .digestMissing
            case .dateTwoHoursOld, .dateTwoHoursAhead: .dateOutsideWindow
            case .signatureBytesChanged, .anotherKey, .hostChanged: .badSignature
            case .postWithoutDigestCovered: .missingCoverage
            case .unsupportedAlgorithm: .unsupportedAlgorithm
            case .malformedHeader, .signatureRemoved: .malformedHeader
            case .signedHeaderAbsent: .missingHeader
            case .keyNotPEM: .badKey
            }
        }
    }

    @Test(arguments: Tamper.allCases)
    func tamperingFailsWithItsCode(_ tamper: Tamper) throws {
        var request = try signedPost()
        var publicKeyPEM = Keys.alice.publicKey.pemRepresentation
        switch tamper {
        case .bodyChanged: request.body += Array(" ".utf8)
        case .digestRemoved: request.headers.remove("Digest")
        case .dateTwoHoursOld, .dateTwoHoursAhead:
            request = inboxPost()
            let offset: TimeInterval = tamper == .dateTwoHoursOld ? -2 * 60 * 60 : 2 * 60 * 60
            try CavageSigner.sign(&request, keyId: aliceKeyId, privateKey: Keys.alice, now: signedAt + offset)
        case .signatureBytesChanged:
            editSignature(&request) { header in
                let value = header.split(separator: "signature=\"")[1].dropLast()
                var bytes = Data(base64Encoded: String(value))!
                bytes[0] ^= 0x01
                return header.replacingOccurrences(of: String(value), with: bytes.base64EncodedString())
            }
        case .anotherKey: publicKeyPEM = Keys.mallory.publicKey.pemRepresentation
        case .postWithoutDigestCovered: request = try signedPost(headers: ["(request-target)", "host", "date"])
        case .unsupportedAlgorithm:
            editSignature(&request) { $0.replacingOccurrences(of: "rsa-sha256", with: "rsa-sha1") }
        case .malformedHeader: editSignature(&request) { $0.replacingOccurrences(of: "\",headers", with: "\" headers") }
        case .signatureRemoved: request.headers.remove("Signature")
        case .signedHeaderAbsent: request.headers.remove("Content-Type")
        case .digestWithoutSHA256: request.headers.set("Digest", "SHA-512=AAAA")
        case .digestNot32Bytes: request.headers.set("Digest", "SHA-256=AAAA")
        case .keyNotPEM: publicKeyPEM = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
        case .hostChanged: request.headers.set("Host", "c.example")
        }
        let result = code { () throws(SignatureError) in
            try CavageVerifier.verify(request, publicKeyPEM: publicKeyPEM, now: signedAt)
        }
        #expect(result == tamper.expected)
    }

    static let dateOffsetsInMinutes: [(Double, Bool)] = [(-65, true), (-66, false), (59, true), (61, false)]

    @Test(arguments: dateOffsetsInMinutes)
    func acceptsDatesFrom65MinutesOldTo60MinutesAhead(minutes: Double, accepted: Bool) throws {
        let request = try signedPost()
        let now = signedAt - minutes * 60
        let result = code { () throws(SignatureError) in try verify(request, now: now) }
        #expect(result == (accepted ? nil : .dateOutsideWindow))
    }

    @Test func requestTargetWithQueryVerifies() throws {
        let verified = try verify(signedPost(path: "/users/bob/inbox?page=2"))
        #expect(!verified.usedRequestTargetWithoutQuery)
    }

    @Test func requestTargetWithoutQueryIsAcceptedForCompatibility() throws {
        var request = try signedPost(path: "/users/bob/inbox")
        request.path = "/users/bob/inbox?page=2"
        #expect(try verify(request).usedRequestTargetWithoutQuery)
        request.path = "/users/bob/outbox?page=2"
        #expect(code { () throws(SignatureError) in try verify(request) } == .badSignature)
    }

    @Test func digestMayListSeveralAlgorithmsInAnyCase() throws {
        var request = try signedPost(headers: ["(request-target)", "host", "date"] + ["digest"])
        let sha256 = try #require(request.headers.combined("Digest")).dropFirst("SHA-256=".count)
        request.headers.set("Digest", "SHA-512=AAAA, sha-256=\(sha256)")
        // The Digest value is signed, so re-sign over the multi-algorithm form.
        let signingString = """
            (request-target): post /users/bob/inbox
            host: b.example
            date: Tue, 20 Feb 2024 10:00:00 GMT
            digest: SHA-512=AAAA, sha-256=\(sha256)
            """
        let signature = try Keys.alice.signature(for: Data(signingString.utf8), padding: .insecurePKCS1v1_5)
        request.headers.set(
            "Signature",
            HTTPSignature(
                keyId: aliceKeyId, algorithm: .rsaSHA256, headers: ["(request-target)", "host", "date", "digest"],
                signature: signature.rawRepresentation.base64EncodedString()
            ).headerValue)
        #expect(try verify(request).signedHeaders.last == "digest")
    }

    @Test func getMustSignHost() throws {
        var request = SignedRequest(method: "GET", path: "/users/alice", headers: ["Host": "a.example"])
        try CavageSigner.sign(
            &request, keyId: aliceKeyId, privateKey: Keys.alice, headers: ["(request-target)", "date"], now: signedAt)
        #expect(code { () throws(SignatureError) in try verify(request) } == .missingCoverage)

        try CavageSigner.sign(
            &request, keyId: aliceKeyId, privateKey: Keys.alice, headers: ["(request-target)", "host", "date"],
            now: signedAt)
        #expect(try verify(request).signedHeaders == ["(request-target)", "host", "date"])
    }

    @Test func hs2019UsesCreatedAndCapsExpiry() throws {
        let created = Int(signedAt.timeIntervalSince1970)
        var request = inboxPost()
        request.headers.set("Digest", "SHA-256=\(Data(SHA256.hash(data: body)).base64EncodedString())")
        func sign(expires: Int) throws {
            let signingString = """
                (request-target): post /users/bob/inbox
                (created): \(created)
                (expires): \(expires)
                digest: \(request.headers.combined("Digest")!)
                """
            let signature = try Keys.alice.signature(for: Data(signingString.utf8), padding: .insecurePKCS1v1_5)
            request.headers.set(
                "Signature",
                HTTPSignature(
                    keyId: aliceKeyId, algorithm: .hs2019,
                    headers: ["(request-target)", "(created)", "(expires)", "digest"],
                    signature: signature.rawRepresentation.base64EncodedString(), created: "\(created)",
                    expires: "\(expires)"
                ).headerValue)
        }
        try sign(expires: created + 24 * 60 * 60)
        #expect(try verify(request, now: signedAt + 12 * 60 * 60).created == signedAt)
        // Expiry is capped at created + 12 h, then 1 h of clock skew is allowed.
        #expect(
            code { () throws(SignatureError) in try verify(request, now: signedAt + 13.5 * 60 * 60) }
                == .dateOutsideWindow)

        editSignature(&request) { $0.replacingOccurrences(of: "hs2019", with: "rsa-sha256") }
        #expect(code { () throws(SignatureError) in try verify(request) } == .malformedHeader)
    }

    @Test func gotoSocialPathKeyIsExposedForTheCallerToResolve() throws {
        var request = inboxPost()
        let keyId = "https://gts.example/users/carol/main-key"
        try CavageSigner.sign(&request, keyId: keyId, privateKey: Keys.alice, now: signedAt)
        let verified = try verify(request)
        #expect(verified.keyId == keyId)
        #expect(verified.expectedActorId == keyId)
    }

    @Test func mastodon250CaptureWithTamperedBodyFailsOnDigest() {
        var request = SignedRequest(method: "POST", path: "/accounts/ronan/inbox", body: PeerTubeCapture.body)
        for (name, value) in PeerTubeCapture.headers { request.headers.add(name, value) }
        let capturedAt = Date(timeIntervalSince1970: 1_540_215_262)  // Mon, 22 Oct 2018 13:34:22 GMT
        let result = code { () throws(SignatureError) in
            try CavageVerifier.verify(request, publicKeyPEM: Keys.mallory.publicKey.pemRepresentation, now: capturedAt)
        }
        #expect(result == .digestMismatch)
    }
}

/// Header values transcribed from a PeerTube test fixture: a real Mastodon 2.5.0 delivery whose body was altered
/// after signing. The body here is our own stand-in; only its bytes differing
/// from the signed digest matters.
private enum PeerTubeCapture {
    static let signature =
        #"keyId="http://localhost:3000/users/ronan2#main-key",algorithm="rsa-sha256","#
        + #"headers="(request-target) host date digest content-type","#
        + #"signature="oLKbgxdFXdXsHJ3x/UsG9Svu7oa8Dyqiy6Jif4wqNuhAqRVMRaG18f+dd2OcfFX3XRGF8p8flZkU6vvoEQBauTwGRGcgXAJuKC1zYIWGk+PeiW8lNUnE4qGapWcTiFnIo7FKauNdsgqg/tvgs1pQIdHkDDjZMI64twP7sTN/4vG1PCq+kyqi/DM+ORLi/W7vFuLVHt2Iz7ikfw/R3/mMtS4FwLops+tVYBQ2iQ9DVRhTwLKVbeL/LLVB/tdGzNZ4F4nImBAQQ9I7WpPM6J/k+cBmoEbrUKs8ptx9gbX3OSsl5wlvPVMNzU9F9yb2MrB/Y/J4qssKz+LbiaktKGj7OQ==""#

    static let headers: [(String, String)] = [
        ("user-agent", "http.rb/3.3.0 (Mastodon/2.5.0; +http://localhost:3000/)"),
        ("host", "localhost"),
        ("date", "Mon, 22 Oct 2018 13:34:22 GMT"),
        ("accept-encoding", "gzip"),
        ("digest", "SHA-256=FEr5j2WSSfdEMcG3NTOXuGU0lUchfTJx4+BtUlWOwDk="),
        ("content-type", "application/activity+json"),
        ("signature", signature),
    ]

    static let body = Array(#"{"type":"Create","actor":"http://localhost:3000/users/ronan2"}"#.utf8)
}
