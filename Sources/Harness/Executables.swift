public import Foundation

/// Where the package and its built executables are, for whatever starts them as child processes.
public enum Executables {
    /// The package's root folder (the one with `Package.swift`).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The built executable `name` of the build folder this process runs from: next to the running binary or
    /// test bundle, or in a folder above it; `.build/debug/NAME` of the package when there is none.
    public static func url(_ name: String) -> URL {
        var directory = Bundle.main.bundleURL
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/\(name)")
    }

    /// The executable `name` in the running binary's own folder, or nil when there is none: for a tool that must
    /// start the build it belongs to (a release bench must not measure a debug server).
    public static func sibling(_ name: String) -> URL? {
        let candidate = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent(name)
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }
}
