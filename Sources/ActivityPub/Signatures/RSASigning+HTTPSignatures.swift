import Foundation
import _CryptoExtras

// Both schemes sign with RSASSA-PKCS1-v1_5 and SHA-256, the only RSA signature ActivityPub servers use.

extension _RSA.Signing.PrivateKey {
    /// Signs the UTF-8 bytes of `text`.
    func httpSignature(for text: String) throws(SignatureError) -> Data {
        do {
            return try signature(for: Data(text.utf8), padding: .insecurePKCS1v1_5).rawRepresentation
        } catch {
            throw SignatureError(
                .badKey, "the private key could not sign; check that it is an RSA key of 2048 bits or more")
        }
    }
}

extension _RSA.Signing.PublicKey {
    /// Reads a sender's key; rejects anything that is not an RSA PEM key of 2048 bits or more.
    init(httpSignaturePEM pem: String) throws(SignatureError) {
        do {
            try self.init(pemRepresentation: pem)
        } catch {
            throw SignatureError(.badKey, "the public key is not an RSA PEM key of 2048 bits or more; refetch the key")
        }
    }

    func isValidHTTPSignature(_ signature: some DataProtocol, for text: String) -> Bool {
        isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: Data(text.utf8), padding: .insecurePKCS1v1_5)
    }
}
