import ActivityPub
import FuzzSupport

/// `HTMLText(html:)`: the tag scan, entity decoding, anchors and the bare-URL scan (`URLScanner`) over its text.
/// The text it gives must be valid to read again: converting it as HTML must not crash either.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let html = HTMLText(html: FuzzInput.text(start, count))
    for url in html.bareURLs {
        precondition(url.lowercased().hasPrefix("http"), "FuzzHTMLText: a bare URL that is not http(s)")
        _ = Hostname.host(ofURL: url)
    }
    for anchor in html.anchors { _ = Hostname.host(ofURL: anchor.href) }
    _ = HTMLText(html: html.text)
    return 0
}

/// The entry point SwiftPM links as `main`; see `runLibFuzzer`.
@_cdecl("FuzzHTMLText_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, count in
        fuzz(UnsafeRawPointer(data) ?? UnsafeRawPointer(bitPattern: 1)!, data == nil ? 0 : count)
    }
}
