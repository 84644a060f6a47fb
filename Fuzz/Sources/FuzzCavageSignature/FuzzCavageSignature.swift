import ActivityPub
import FuzzSupport

/// The draft-cavage `Signature` header: `HTTPSignature(parsing:)` on each `Signature` header of the input, then
/// the whole check (`SignatureVerifier.keyId(of:)`, `CavageVerifier.verify`) on the input read as a request
/// (`FuzzInput.request`: `METHOD path`, header lines, blank line, body), which also reaches the `Date`, `Digest`
/// and signing-string code.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let request = FuzzInput.request(FuzzInput.bytes(start, count))
    for header in request.headers["Signature"] {
        _ = try? HTTPSignature(parsing: header)
    }
    _ = try? SignatureVerifier.keyId(of: request)
    _ = try? CavageVerifier.verify(request, publicKeyPEM: FuzzInput.publicKeyPEM, now: FuzzInput.now)
    return 0
}

/// The entry point SwiftPM links as `main`; see `runLibFuzzer`.
@_cdecl("FuzzCavageSignature_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, count in
        fuzz(UnsafeRawPointer(data) ?? UnsafeRawPointer(bitPattern: 1)!, data == nil ? 0 : count)
    }
}
