import Foundation

/// Resident memory and CPU time of a process (this one, or a child server), from /proc.
struct ProcessUsage {
    /// The /proc entry: `self` or a process id.
    let process: String

    static let current = ProcessUsage(process: "self")

    init(process: String) { self.process = process }
    init(pid: Int32) { self.init(process: "\(pid)") }

    /// User plus system CPU time so far, in seconds (fields 14 and 15 of /proc/PID/stat, in clock ticks).
    func cpuSeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(process)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces) start at field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory now.
    func residentMiB() -> Double? { statusMiB("VmRSS") }
    /// The most resident memory so far.
    func peakResidentMiB() -> Double? { statusMiB("VmHWM") }

    /// A `kB` field of /proc/PID/status, in MiB.
    private func statusMiB(_ name: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
            let kib = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap({ Double($0) }).first
        else { return nil }
        return kib / 1_024
    }
}
