import FuzzSupport
import Foundation
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
    guard FileManager.default.createFile(atPath: ruleFile, contents: Data(bytes)) else {
        fatalError("FuzzRuleLoader: cannot write \(ruleFile); check that the temporary directory is writable")
    }
    if let ruleSet = try? RuleSet.load(directory: directory) {
        let engine = RuleEngine(ruleSet: ruleSet)
        _ = engine.prefilterCoverage
    }
    return 0
}

/// This process's directory, removed when libFuzzer exits normally.
private func directoryPath() -> String { NSTemporaryDirectory() + "herdwatch-fuzz-rules-\(getpid())" }

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
