/// An error from compiling or running a pattern.
///
/// Messages name the pattern's source (a rule id or file position given by the caller) and never the text
/// being matched, so they are safe to log.
public struct MatchingError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: Hashable, Sendable {
            case compile, matchLimit, depthLimit, heapLimit, jitStackLimit, matchFailed, prefilter
        }
        fileprivate let value: Value

        /// The pattern does not compile; `offset` says where.
        public static let compile = Code(value: .compile)
        /// The match limit (backtracking steps) was hit: the pattern is too expensive for this text.
        public static let matchLimit = Code(value: .matchLimit)
        /// The depth limit was hit.
        public static let depthLimit = Code(value: .depthLimit)
        /// The heap limit was hit.
        public static let heapLimit = Code(value: .heapLimit)
        /// The JIT stack was exhausted.
        public static let jitStackLimit = Code(value: .jitStackLimit)
        /// PCRE2 reported another error while matching.
        public static let matchFailed = Code(value: .matchFailed)
        /// The Hyperscan prefilter could not be built or run.
        public static let prefilter = Code(value: .prefilter)

        public var description: String {
            switch value {
            case .compile: "compile"
            case .matchLimit: "match-limit"
            case .depthLimit: "depth-limit"
            case .heapLimit: "heap-limit"
            case .jitStackLimit: "jit-stack-limit"
            case .matchFailed: "match-failed"
            case .prefilter: "prefilter"
            }
        }

        /// Whether this error means a resource limit stopped the match.
        public var isLimit: Bool {
            switch value {
            case .matchLimit, .depthLimit, .heapLimit, .jitStackLimit: true
            default: false
            }
        }
    }

    public var code: Code
    public var message: String
    /// For compile errors: the byte offset in the pattern where PCRE2 stopped.
    public var offset: Int?

    public init(code: Code, message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "\(message) (at pattern offset \(offset))" }
        return message
    }
}
