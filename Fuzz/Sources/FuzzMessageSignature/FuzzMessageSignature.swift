import ActivityPub
import FuzzSupport

/// RFC 9421: the `Signature-Input`, `Signature` and `Content-Digest` structured fields (swift-http-structured-headers
/// behind `StructuredFieldDictionary`'s caps, read through `MessageSignature`), the coverage and time checks and
/// the signature base, through the public entry points `SignatureVerifier.keyId(of:)` and `RFC9421Verifier.verify`,
/// on the input read as a request (`FuzzInput.request`: `METHOD path`, header lines, blank line, body).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let request = FuzzInput.request(FuzzInput.bytes(start, count))
    _ = try? SignatureVerifier.keyId(of: request)
    _ = try? RFC9421Verifier.verify(request, publicKeyPEM: FuzzInput.publicKeyPEM, now: FuzzInput.now)
    return 0
}

/// The entry point SwiftPM links as `main`; see `runLibFuzzer`.
@_cdecl("FuzzMessageSignature_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, count in
        fuzz(UnsafeRawPointer(data) ?? UnsafeRawPointer(bitPattern: 1)!, data == nil ? 0 : count)
    }
}
