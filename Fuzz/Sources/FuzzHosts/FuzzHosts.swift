import ActivityPub
import FuzzSupport

/// Host and URL parsing: `Hostname.normalize`, `Hostname.host(ofURL:)`, `Hostname.unicode` (libidn2 both ways)
/// and the URL scanner (through `HTMLText`, its public entry point) on the input as text.
/// A normalised host must be a fixed point: normalising it again gives it back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = FuzzInput.text(start, count)
    check(Hostname.normalize(text))
    check(Hostname.host(ofURL: text))
    for url in HTMLText(html: text).bareURLs { check(Hostname.host(ofURL: url)) }
    return 0
}

private func check(_ host: String?) {
    guard let host else { return }
    precondition(Hostname.normalize(host) == host, "FuzzHosts: a normalised host normalises to something else")
    _ = Hostname.unicode(host)
}

/// The entry point SwiftPM links as `main`; see `runLibFuzzer`.
@_cdecl("FuzzHosts_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, count in
        fuzz(UnsafeRawPointer(data) ?? UnsafeRawPointer(bitPattern: 1)!, data == nil ? 0 : count)
    }
}
