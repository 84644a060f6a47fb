import CPSL
import Foundation

/// The Public Suffix List, read by libpsl, used to find the registrable domain ("eTLD+1") of a host.
public struct PublicSuffixList: Sendable {
    /// libpsl's list: the newer of the copy built into libpsl and the system's (Debian package `publicsuffix`),
    /// loaded once. Stops the process, naming the fix, when libpsl has neither: guessing instead would silently
    /// change every `link.domains`. Call `system()` at start-up to report that as an error instead.
    public static let shared: PublicSuffixList = {
        do {
            return try system()
        } catch {
            fatalError("\(error)")
        }
    }()

    /// Where the rules came from and how many there are.
    public let source: String
    private let context: Context

    /// libpsl's list: the newer of its built-in copy and the system's (`psl_latest`).
    public static func system() throws(PublicSuffixListError) -> PublicSuffixList {
        guard let context = psl_latest(nil) else {
            throw PublicSuffixListError(
                "libpsl has no Public Suffix List: it was built without one and \(distributionFile) is missing; "
                    + "install the Debian packages libpsl5 and publicsuffix (`make deps`)")
        }
        let count = psl_suffix_count(context)
        return PublicSuffixList(
            context: Context(owned: context),
            source: "libpsl \(String(cString: psl_get_version())), newest of its built-in list and "
                + "\(distributionFile)" + (count > 0 ? " (\(count) rules)" : ""))
    }

    /// Builds a list from the text of a `public_suffix_list.dat` file. Throws when the text holds no rule.
    public init(contents: String) throws(PublicSuffixListError) {
        var bytes = Array(contents.utf8)
        let loaded = bytes.withUnsafeMutableBytes { buffer -> OpaquePointer? in
            guard let base = buffer.baseAddress, let file = fmemopen(base, buffer.count, "r") else { return nil }
            defer { fclose(file) }
            return psl_load_fp(file)
        }
        guard let loaded else {
            throw PublicSuffixListError(
                "libpsl could not read the list text; pass the contents of a public_suffix_list.dat file")
        }
        let context = Context(owned: loaded)
        let count = psl_suffix_count(loaded)
        guard count > 0 else {
            throw PublicSuffixListError(
                "the Public Suffix List text holds no rule; pass the contents of a public_suffix_list.dat file")
        }
        self.init(context: context, source: "inline list (\(count) rules)")
    }

    private init(context: Context, source: String) {
        self.context = context
        self.source = source
    }

    private static var distributionFile: String {
        psl_dist_filename().map { String(cString: $0) } ?? "/usr/share/publicsuffix/public_suffix_list.dafsa"
    }

    /// The public suffix of `host` plus one label, e.g. `example.co.uk` for `a.b.example.co.uk`.
    /// Nil for IP addresses, single labels and hosts that are themselves public suffixes. A host under a top-level
    /// domain the list does not know counts that domain as its public suffix (`unlisted.tld`).
    public func registrableDomain(of host: String) -> String? {
        guard let host = Hostname.normalize(host) else { return nil }
        return registrableDomain(ofNormalized: host)
    }

    /// `registrableDomain(of:)` for a host `Hostname.normalize` already returned.
    func registrableDomain(ofNormalized host: String) -> String? {
        guard !host.hasPrefix("["), !Self.isIPv4(host) else { return nil }
        // libpsl returns a pointer into the string it was given.
        return host.withCString { name in
            psl_registrable_domain(context.pointer, name).map { String(cString: $0) }
        }
    }

    private static func isIPv4(_ host: String) -> Bool {
        host.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
    }

    /// A loaded libpsl context, freed with the last list that uses it.
    ///
    /// `@unchecked Sendable`: libpsl never changes a context after loading it, and its lookups only read it.
    private final class Context: @unchecked Sendable {
        let pointer: OpaquePointer

        init(owned pointer: OpaquePointer) {
            self.pointer = pointer
        }

        deinit {
            psl_free(pointer)
        }
    }
}

/// The Public Suffix List could not be loaded.
public struct PublicSuffixListError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and how to fix it.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { "Public Suffix List: \(message)" }
}
