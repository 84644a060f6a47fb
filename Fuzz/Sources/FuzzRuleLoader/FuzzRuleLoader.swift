import Foundation
import FuzzSupport
import Glibc
import RuleEngine

/// The rule loader as `herdwatch rules lint` runs it: the input is written as the one rule file of a directory,
/// `RuleSet.load(directory:)` reads it (YAML, rule and policy checks, pattern compilation checks), and a set that
/// loads is built into a `RuleEngine` (Hyperscan and PCRE2 compilation), as lint does.
///
/// There is no in-memory entry point, so each input is written to a file in a directory made once per process,
/// which also holds a copy of the repository's `Rules/lists`, so seeds from `Rules/` load with their list files.
/// Inputs that name a device or kernel file (`dev/`, `proc/`, `sys/`) are skipped: a list file of `/dev/zero`
/// would read forever, and rule files are the operator's own, not an attacker's.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = FuzzInput.bytes(start, count)
    let text = String(decoding: bytes, as: UTF8.self)
    if text.contains("dev/") || text.contains("proc/") || text.contains("sys/") { return 0 }
    write(bytes, to: ruleFile)
    if let ruleSet = try? RuleSet.load(directory: directory) {
        let engine = RuleEngine(ruleSet: ruleSet)
        _ = engine.prefilterCoverage
    }
    return 0
}

/// This process's directory, removed when libFuzzer exits normally. In /dev/shm when there is one: a file on disk
/// rewritten for every input made the target wait on the disk.
private func directoryPath() -> String {
    let base = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
    return base + "herdwatch-fuzz-rules-\(getpid())"
}

/// Replaces the file's contents in place: `FileManager.createFile` writes atomically (a new file and a rename).
private func write(_ bytes: [UInt8], to path: String) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else {
        fatalError("FuzzRuleLoader: cannot open \(path) (errno \(errno)); check that its directory is writable")
    }
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count {
        let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard result > 0 else { fatalError("FuzzRuleLoader: cannot write \(path) (errno \(errno))") }
        written += result
    }
}

private let directory: String = {
    let path = directoryPath()
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let lists = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Rules/lists").standardizedFileURL.path
        if FileManager.default.fileExists(atPath: lists), !FileManager.default.fileExists(atPath: path + "/lists") {
            try FileManager.default.copyItem(atPath: lists, toPath: path + "/lists")
        }
        atexit { try? FileManager.default.removeItem(atPath: directoryPath()) }
    } catch {
        fatalError("FuzzRuleLoader: cannot create \(path): \(error); check that the temporary directory is writable")
    }
    return path
}()

private let ruleFile = directory + "/rules.yaml"

/// The entry point SwiftPM links as `main`; see `runLibFuzzer`.
@_cdecl("FuzzRuleLoader_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, count in
        fuzz(UnsafeRawPointer(data) ?? UnsafeRawPointer(bitPattern: 1)!, data == nil ? 0 : count)
    }
}
