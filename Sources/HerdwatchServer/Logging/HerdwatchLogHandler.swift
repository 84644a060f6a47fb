import Foundation
public import Logging
import Synchronization

/// Writes log lines to standard error: `2026-11-27T09:00:00Z warning herdwatch: message key=value …`.
///
/// Unlike swift-log's `StreamLogHandler`, which renders metadata each time it is set, this one renders it only
/// when a line is written. The server sets a request id on every request's logger and logs almost nothing per
/// request, so eager rendering cost more than the rest of the request's logging put together.
public struct HerdwatchLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String

    /// Serialises writes so lines from different threads never interleave.
    private static let output = Mutex(())

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = "\(Date.now.ISO8601Format()) \(event.level) \(label): \(event.message)"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += "\n"
        Self.output.withLock { _ in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
