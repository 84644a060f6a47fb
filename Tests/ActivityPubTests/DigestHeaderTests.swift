import ActivityPub
import Crypto
import Foundation
import Testing
import _CryptoExtras

/// The `Digest` header is read before any key has verified anything: whatever a sender puts there is an error
/// with a reason, never a crash. (The fuzzer's find: an entry of only `=` trapped on an empty split.)
@Suite struct DigestHeaderTests {
    static let key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    @Test(arguments: ["=", ",", "=,=", " = ", "sha-256", "SHA-256=", ",,SHA-256", "=x", "\u{0}="])
    func aMalformedDigestIsRefusedWithAReason(digest: String) throws {
        let body = Array(#"{"type":"Create"}"#.utf8)
        var request = SignedRequest(
            method: "POST", path: "/inbox", headers: ["Host": "b.example"], body: body)
        try CavageSigner.sign(
            &request, keyId: "https://a.example/users/alice#main-key", privateKey: Self.key,
            headers: ["(request-target)", "host", "date", "digest"])
        // The Digest is checked before the signature, so the sender's edit is what the verifier reads first.
        request.headers.set("Digest", digest)
        #expect {
            _ = try CavageVerifier.verify(request, publicKeyPEM: Self.key.publicKey.pemRepresentation)
        } throws: { error in
            guard let error = error as? SignatureError else { return false }
            return error.code == .digestMissing || error.code == .digestMismatch
        }
    }
}
