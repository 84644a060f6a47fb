import ActivityPub
import Crypto
import Foundation
import Testing
import _CryptoExtras

/// The time window of a draft-cavage signature is read only from values the signature covers: anyone who
/// replays a request can edit the rest of the `Signature` header.
@Suite struct CavageDateTests {
    static let key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let keyId = "https://a.example/users/alice#main-key"
    /// Tue, 20 Feb 2024 10:00:00 GMT
    static let signedAt = Date(timeIntervalSince1970: 1_708_423_200)
    static let threeDaysLater = signedAt + 3 * 24 * 60 * 60
    static let body = Array(#"{"type":"Create","actor":"https://a.example/users/alice"}"#.utf8)

    static func inboxPost() -> SignedRequest {
        var request = SignedRequest(
            method: "POST", path: "/users/bob/inbox",
            headers: ["Host": "b.example", "Content-Type": "application/activity+json"], body: body)
        request.headers.set("Digest", "SHA-256=\(Data(SHA256.hash(data: body)).base64EncodedString())")
        return request
    }

    /// A Mastodon-style delivery signed at `signedAt`, covering `date`.
    static func mastodonDelivery() throws -> SignedRequest {
        var request = inboxPost()
        try CavageSigner.sign(&request, keyId: keyId, privateKey: key, now: signedAt)
        return request
    }

    /// An hs2019 delivery covering `(created)` (and `(expires)` when given), with a `Date` header of `date`.
    static func hs2019Delivery(created: Date, expires: Date? = nil, date: Date) throws -> SignedRequest {
        var request = inboxPost()
        request.headers.set("Date", httpDate(date))
        let createdValue = String(Int64(created.timeIntervalSince1970))
        let expiresValue = expires.map { String(Int64($0.timeIntervalSince1970)) }
        var lines = ["(request-target): post /users/bob/inbox", "(created): \(createdValue)"]
        var names = ["(request-target)", "(created)"]
        if let expiresValue {
            lines.append("(expires): \(expiresValue)")
            names.append("(expires)")
        }
        lines += ["host: b.example", "digest: \(request.headers.combined("Digest")!)"]
        names += ["host", "digest"]
        let signature = try key.signature(for: Data(lines.joined(separator: "\n").utf8), padding: .insecurePKCS1v1_5)
        request.headers.set(
            "Signature",
            HTTPSignature(
                keyId: keyId, algorithm: .hs2019, headers: names,
                signature: signature.rawRepresentation.base64EncodedString(),
                created: createdValue, expires: expiresValue
            ).headerValue)
        return request
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    static func verify(_ request: SignedRequest, now: Date) throws(SignatureError) -> VerifiedSignature {
        try CavageVerifier.verify(request, publicKeyPEM: key.publicKey.pemRepresentation, now: now)
    }

    static func unixSeconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970) }

    /// The Mastodon delivery as a replayer edits it: switched to hs2019, with an uncovered `parameter` added.
    static func replayedDelivery(adding parameter: String) throws -> SignedRequest {
        var request = try mastodonDelivery()
        let header = try #require(request.headers.combined("Signature"))
        request.headers.set(
            "Signature",
            header.replacingOccurrences(of: #"algorithm="rsa-sha256","#, with: #"algorithm="hs2019",\#(parameter),"#))
        return request
    }

    @Test func aReplayedDeliveryWithAnEditedCreatedIsRefused() throws {
        let original = try Self.mastodonDelivery()
        #expect(
            code { () throws(SignatureError) in try Self.verify(original, now: Self.threeDaysLater) }
                == .dateOutsideWindow)
        // A fresh created=, which headers= does not cover.
        let request = try Self.replayedDelivery(adding: "created=\(Self.unixSeconds(Self.threeDaysLater))")
        #expect(
            code { () throws(SignatureError) in try Self.verify(request, now: Self.threeDaysLater) }
                == .dateOutsideWindow)
        // Only its date is wrong: within the window it verifies, dated by the covered Date header.
        #expect(try Self.verify(request, now: Self.signedAt + 60).created == Self.signedAt)
    }

    @Test func anUncoveredExpiresDoesNotExtendTheWindow() throws {
        let request = try Self.replayedDelivery(adding: "expires=\(Self.unixSeconds(Self.signedAt + 10 * 60 * 60))")
        let twoHoursLater = Self.signedAt + 2 * 60 * 60
        #expect(
            code { () throws(SignatureError) in try Self.verify(request, now: twoHoursLater) } == .dateOutsideWindow)
    }

    @Test func aCoveredDateDatesTheSignature() throws {
        let request = try Self.mastodonDelivery()
        #expect(try Self.verify(request, now: Self.signedAt + 60).created == Self.signedAt)
    }

    @Test func aCoveredCreatedDatesTheSignatureWhateverTheDateHeaderSays() throws {
        // The Date header (not covered) is three days old; the covered (created) is what counts.
        let request = try Self.hs2019Delivery(created: Self.threeDaysLater, date: Self.signedAt)
        #expect(try Self.verify(request, now: Self.threeDaysLater + 60).created == Self.threeDaysLater)

        let stale = try Self.hs2019Delivery(created: Self.signedAt, date: Self.threeDaysLater)
        #expect(
            code { () throws(SignatureError) in try Self.verify(stale, now: Self.threeDaysLater) } == .dateOutsideWindow
        )
    }

    @Test func aCoveredExpiresIsHonoured() throws {
        let request = try Self.hs2019Delivery(
            created: Self.signedAt, expires: Self.signedAt + 6 * 60 * 60, date: Self.signedAt)
        #expect(try Self.verify(request, now: Self.signedAt + 5 * 60 * 60).created == Self.signedAt)
    }

    @Test func aCoveredCreatedNeedsItsParameter() throws {
        var request = try Self.hs2019Delivery(created: Self.signedAt, date: Self.signedAt)
        let header = try #require(request.headers.combined("Signature"))
        request.headers.set(
            "Signature", header.replacingOccurrences(of: "created=\(Self.unixSeconds(Self.signedAt)),", with: ""))
        #expect(code { () throws(SignatureError) in try Self.verify(request, now: Self.signedAt) } == .malformedHeader)
    }

    /// RFC 9421 signs `created` and `expires` by construction: they are parameters of the covered
    /// `@signature-params` line, so editing one breaks the signature.
    @Test func rfc9421CreatedIsCovered() throws {
        var request = Self.inboxPost()
        request.headers.remove("Digest")
        try RFC9421Signer.sign(&request, keyId: Self.keyId, privateKey: Self.key, now: Self.signedAt)
        let input = try #require(request.headers.combined("Signature-Input"))
        request.headers.set(
            "Signature-Input",
            input.replacingOccurrences(
                of: "created=\(Self.unixSeconds(Self.signedAt))",
                with: "created=\(Self.unixSeconds(Self.threeDaysLater))"))
        #expect(
            code { () throws(SignatureError) in
                try SignatureVerifier.verify(
                    request, publicKeyPEM: Self.key.publicKey.pemRepresentation, now: Self.threeDaysLater)
            } == .badSignature)
    }
}
