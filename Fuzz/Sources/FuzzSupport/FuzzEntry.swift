import CLibFuzzer

/// Hands control to libFuzzer's driver with `testOneInput` as the target.
///
/// SwiftPM (tools version 5.5 and later) compiles an executable module's entry point as `<module>_main` and links
/// it with `--defsym main=<module>_main`, so tests can link executables. A fuzz target has no top-level code
/// (libFuzzer normally supplies `main`), so each target defines `<module>_main` itself and calls this.
public func runLibFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
