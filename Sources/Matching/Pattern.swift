import CPCRE2

/// A compiled PCRE2 regular expression: the source of truth for every match and span.
///
/// Compiled once (with the JIT when the platform has it) and shared freely across tasks; each match call
/// gets its own match data, so concurrent matching is safe.
public final class Pattern: Sendable {
    /// The pattern text as written.
    public let source: String
    public let options: PatternOptions
    public let limits: MatchLimits
    /// Whether PCRE2's JIT compiled this pattern.
    public let isJITCompiled: Bool

    // Safe to share: PCRE2 compiled code and a match context are read-only after creation and documented
    // as usable from several threads at once; match data is created per call.
    nonisolated(unsafe) private let code: OpaquePointer
    nonisolated(unsafe) private let matchContext: OpaquePointer
    /// For a pattern starting with a choice of words, one pattern per alternative: the first match is found
    /// with these (see `LeadingAlternation`). Empty otherwise.
    let alternatives: [Pattern]

    /// Compiles `source`; a syntax error is thrown with PCRE2's message and the byte offset where it stopped.
    public convenience init(
        _ source: String, options: PatternOptions = [], limits: MatchLimits = .default
    ) throws(MatchingError) {
        try self.init(source, options: options, limits: limits, splittingAlternatives: true)
    }

    /// With `splittingAlternatives: false`, the pattern is always run whole (tests compare the two).
    init(
        _ source: String, options: PatternOptions, limits: MatchLimits, splittingAlternatives: Bool
    ) throws(MatchingError) {
        var compileOptions: UInt32 = PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C
        if options.contains(.caseless) { compileOptions |= PCRE2_CASELESS }
        if options.contains(.multiline) { compileOptions |= PCRE2_MULTILINE }
        if options.contains(.dotAll) { compileOptions |= PCRE2_DOTALL }
        if options.contains(.extended) { compileOptions |= PCRE2_EXTENDED }
        if options.contains(.noAutoCapture) { compileOptions |= PCRE2_NO_AUTO_CAPTURE }
        if options.contains(.ungreedy) { compileOptions |= PCRE2_UNGREEDY }

        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        var text = source
        let compiled = text.withUTF8 { bytes in
            pcre2_compile_8(bytes.baseAddress, bytes.count, compileOptions, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw MatchingError(code: .compile, message: Pattern.message(for: errorCode), offset: errorOffset)
        }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_code_free_8(compiled)
            throw MatchingError(code: .compile, message: "PCRE2 could not allocate a match context")
        }
        pcre2_set_match_limit_8(context, limits.match)
        pcre2_set_depth_limit_8(context, limits.depth)
        pcre2_set_heap_limit_8(context, limits.heapKiB)

        self.source = source
        self.options = options
        self.limits = limits
        self.code = compiled
        self.matchContext = context
        self.isJITCompiled = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
        var alternatives: [Pattern] = []
        if splittingAlternatives, let sources = LeadingAlternation.split(source, options: options) {
            do {
                for source in sources {
                    alternatives.append(try Pattern(source, options: options, limits: limits, splittingAlternatives: false))
                }
            } catch {
                // Never expected (each is a piece of a pattern that compiled); the whole pattern still works.
                alternatives = []
            }
        }
        self.alternatives = alternatives
    }

    deinit {
        pcre2_match_context_free_8(matchContext)
        pcre2_code_free_8(code)
    }

    /// The first match in `text`, or nil when there is none. A limit hit throws; it is never "no match".
    public func firstMatch(in text: String) throws(MatchingError) -> MatchSpan? {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(MatchingError) in try firstMatch(in: bytes) } }.get()
    }

    /// Whether `text` contains a match.
    public func matches(_ text: String) throws(MatchingError) -> Bool {
        try firstMatch(in: text) != nil
    }

    /// The first match in UTF-8 `bytes` (which must be valid UTF-8, as Swift strings always are).
    public func firstMatch(in bytes: UnsafeBufferPointer<UInt8>) throws(MatchingError) -> MatchSpan? {
        try firstMatch(in: bytes, from: 0)
    }

    /// Every non-overlapping match, up to `limit` of them.
    public func allMatches(in text: String, limit: Int = 64) throws(MatchingError) -> [MatchSpan] {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(MatchingError) in
            var spans: [MatchSpan] = []
            var start = 0
            while spans.count < limit, start <= bytes.count,
                let span = try firstMatch(in: bytes, from: start)
            {
                spans.append(span)
                if span.utf8.isEmpty {
                    // Step past an empty match to the next character boundary.
                    start = span.utf8.upperBound + 1
                    while start < bytes.count, bytes[start] & 0xC0 == 0x80 { start += 1 }
                } else {
                    start = span.utf8.upperBound
                }
            }
            return spans
        } }.get()
    }

    private func firstMatch(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) throws(MatchingError) -> MatchSpan? {
        guard let matchData = pcre2_match_data_create_8(1, nil) else {
            throw MatchingError(code: .matchFailed, message: "PCRE2 could not allocate match data")
        }
        defer { pcre2_match_data_free_8(matchData) }
        if !alternatives.isEmpty {
            // The leftmost start wins; at the same start, the earlier alternative (the whole pattern's choice).
            // A limit hit in one of them says nothing about the whole pattern: run it whole to find out.
            var leftmost: Range<Int>?
            do {
                for alternative in alternatives {
                    guard let range = try alternative.match(bytes, from: start, into: matchData) else { continue }
                    if leftmost == nil || range.lowerBound < leftmost!.lowerBound { leftmost = range }
                }
                return leftmost.map { MatchSpan(utf8: $0) }
            } catch {}
        }
        return try match(bytes, from: start, into: matchData).map { MatchSpan(utf8: $0) }
    }

    /// PCRE2's first match from `start`, as the raw start and end offsets it reports.
    private func match(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into matchData: OpaquePointer
    ) throws(MatchingError) -> Range<Int>? {
        // An empty buffer may have no base address; PCRE2 wants a valid pointer even for length 0.
        var empty: UInt8 = 0
        let rc = withUnsafePointer(to: &empty) { fallback in
            pcre2_match_8(
                code, bytes.baseAddress ?? fallback, bytes.count, start, PCRE2_NO_UTF_CHECK, matchData, matchContext)
        }
        if rc == PCRE2_ERROR_NOMATCH { return nil }
        if rc < 0 { throw Pattern.matchError(rc) }
        let ovector = pcre2_get_ovector_pointer_8(matchData)!
        let lower = ovector[0]
        let upper = ovector[1]
        // \K can put the start after the end; report such a match as empty at its end. (Split patterns have no
        // \K, so for them the start is where the attempt began.)
        return min(lower, upper)..<upper
    }

    static func matchError(_ rc: Int32) -> MatchingError {
        switch rc {
        case PCRE2_ERROR_MATCHLIMIT:
            MatchingError(code: .matchLimit, message: "regex hit the match limit (too much backtracking)")
        case PCRE2_ERROR_DEPTHLIMIT:
            MatchingError(code: .depthLimit, message: "regex hit the depth limit")
        case PCRE2_ERROR_HEAPLIMIT:
            MatchingError(code: .heapLimit, message: "regex hit the heap limit")
        case PCRE2_ERROR_JIT_STACKLIMIT:
            MatchingError(code: .jitStackLimit, message: "regex exhausted the JIT stack")
        default:
            MatchingError(code: .matchFailed, message: "regex match failed: \(message(for: rc))")
        }
    }

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { pcre2_get_error_message_8(Int32(errorCode), $0.baseAddress, 256) }
        guard length > 0 else { return "PCRE2 error \(errorCode)" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }

    /// Whether this PCRE2 build has a JIT compiler.
    public static var jitAvailable: Bool {
        var value: UInt32 = 0
        _ = pcre2_config_8(UInt32(PCRE2_CONFIG_JIT), &value)
        return value == 1
    }
}
