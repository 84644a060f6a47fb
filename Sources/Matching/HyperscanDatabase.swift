import CHyperscan
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A compiled Hyperscan block-mode database in prefilter mode, with a pool of scratch spaces.
final class HyperscanDatabase: Sendable {
    struct CompileFailure: Error {
        /// Position (in the list passed to `compile`) of the expression Hyperscan rejected, when it says.
        var expression: Int?
        var message: String
    }

    /// A raw Hyperscan pointer. Safe to send: a database is immutable after compilation, and a scratch
    /// space is used by one scan at a time (the pool hands each out exclusively).
    struct Handle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let database: Handle
    private let prototype: Handle
    private let pool = Mutex<[Handle]>([])

    private init(database: Handle, prototype: Handle) {
        self.database = database
        self.prototype = prototype
    }

    deinit {
        for handle in pool.withLock({ $0 }) { hs_free_scratch(handle.pointer) }
        hs_free_scratch(prototype.pointer)
        hs_free_database(database.pointer)
    }

    /// How a pattern is given to Hyperscan, fastest first.
    enum Mode {
        /// Byte mode after `PrefilterRewrite.byteSuperset`.
        case bytes
        /// UTF-8 mode without UCP after `PrefilterRewrite.superset`.
        case utf8
        /// UTF-8 mode with UCP, the pattern as written.
        case ucp

        static func fastest(for pattern: Pattern) -> Mode {
            if PrefilterRewrite.byteSuperset(of: pattern.source, options: pattern.options) != nil { return .bytes }
            if PrefilterRewrite.superset(of: pattern.source, options: pattern.options) != nil { return .utf8 }
            return .ucp
        }

        /// The next mode to try when Hyperscan rejects this one.
        var fallback: Mode? {
            switch self {
            case .bytes: .utf8
            case .utf8: .ucp
            case .ucp: nil
            }
        }
    }

    /// One expression of a database: Hyperscan source, flags and the id reported on a match.
    struct Expression {
        var source: String
        var flags: UInt32
        var id: UInt32

        /// `pattern` in `mode`, as a prefilter expression.
        init(_ pattern: Pattern, id: UInt32, mode: Mode) {
            self.id = id
            var flags = UInt32(HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH)
            if mode == .bytes, let bytes = PrefilterRewrite.byteSuperset(of: pattern.source, options: pattern.options) {
                source = bytes
            } else if mode != .ucp, let rewritten = PrefilterRewrite.superset(of: pattern.source, options: pattern.options) {
                source = rewritten
                flags |= UInt32(HS_FLAG_UTF8)
            } else {
                source = pattern.options.contains(.extended) ? "(?x)" + pattern.source : pattern.source
                flags |= UInt32(HS_FLAG_UTF8 | HS_FLAG_UCP)
            }
            source = PrefilterRewrite.withoutSchemePrefix(source)
            if pattern.options.contains(.caseless) { flags |= UInt32(HS_FLAG_CASELESS) }
            if pattern.options.contains(.dotAll), flags & UInt32(HS_FLAG_UTF8) != 0 { flags |= UInt32(HS_FLAG_DOTALL) }
            if pattern.options.contains(.multiline) { flags |= UInt32(HS_FLAG_MULTILINE) }
            self.flags = flags
        }

        /// A byte-mode, case-sensitive prefilter expression.
        init(bytes source: String, id: UInt32) {
            self.source = source
            self.flags = UInt32(HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH)
            self.id = id
        }
    }

    static func compile(_ entries: [Expression]) -> Result<HyperscanDatabase, CompileFailure> {
        var expressions: [UnsafeMutablePointer<CChar>?] = entries.map { strdup($0.source) }
        defer { expressions.forEach { free($0) } }
        var flags = entries.map(\.flags)
        var ids = entries.map(\.id)
        var database: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let status = expressions.withUnsafeMutableBufferPointer { expressionPointers in
            expressionPointers.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: entries.count) {
                hs_compile_multi(
                    $0, &flags, &ids, UInt32(entries.count), UInt32(HS_MODE_BLOCK), nil, &database, &error)
            }
        }
        guard status == HS_SUCCESS, let database else {
            var failure = CompileFailure(expression: nil, message: "compile failed with status \(status)")
            if let error {
                if error.pointee.expression >= 0 { failure.expression = Int(error.pointee.expression) }
                if let message = error.pointee.message { failure.message = String(cString: message) }
                hs_free_compile_error(error)
            }
            return .failure(failure)
        }
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(database, &scratch) == HS_SUCCESS, let scratch else {
            hs_free_database(database)
            return .failure(CompileFailure(expression: nil, message: "could not allocate scratch space"))
        }
        return .success(HyperscanDatabase(database: Handle(pointer: database), prototype: Handle(pointer: scratch)))
    }

    func scan(_ bytes: UnsafeBufferPointer<UInt8>, into set: inout CandidateSet) throws(MatchingError) {
        let scratch = try takeScratch()
        defer { pool.withLock { $0.append(scratch) } }
        let status = set.withUnsafeMutableWords { words in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                hs_scan(
                    database.pointer, chars.baseAddress, UInt32(truncatingIfNeeded: chars.count), 0, scratch.pointer,
                    { id, _, _, _, context in
                        let words = context!.assumingMemoryBound(to: UInt64.self)
                        words[Int(id >> 6)] |= 1 << UInt64(id & 63)
                        return 0
                    }, UnsafeMutableRawPointer(words.baseAddress))
            }
        }
        guard status == HS_SUCCESS else {
            throw MatchingError(code: .prefilter, message: "Hyperscan scan failed with status \(status)")
        }
    }

    private func takeScratch() throws(MatchingError) -> Handle {
        if let handle = pool.withLock({ $0.popLast() }) { return handle }
        var clone: OpaquePointer?
        guard hs_clone_scratch(prototype.pointer, &clone) == HS_SUCCESS, let clone else {
            throw MatchingError(code: .prefilter, message: "could not allocate Hyperscan scratch space")
        }
        return Handle(pointer: clone)
    }
}
