import CHyperscan
import Synchronization

/// Many patterns matched against one text, with Hyperscan as a prefilter.
///
/// Hyperscan, compiled in prefilter mode, scans the text once for all patterns and nominates the ones that
/// *may* match; PCRE2 confirms only those and stays the source of truth for every match and span. Patterns
/// Hyperscan cannot take (unsupported syntax, empty matches, large bounded repeats that take minutes to
/// compile) are never nominated by it and always go to PCRE2, so the answers are exactly PCRE2's.
public final class PatternSet: Sendable {
    /// Why a pattern is not in the Hyperscan database.
    public struct Exclusion: Sendable, Hashable {
        public var index: Int
        public var reason: String
    }

    /// How the prefilter finds a pattern.
    public enum Route: Sendable, Hashable {
        /// Scanned for in every text.
        case scanned
        /// Scanned for only in texts with a code point of the kind (script) every match of it needs, or with the
        /// run of capitals it needs (`[A-Z]{12,}`).
        case gated
        /// A spelled-out word, scanned for as letters in the text's alphanumeric skeleton.
        case skeleton
        /// Never nominated by the prefilter: PCRE2 always runs it.
        case alwaysRun
    }

    public let patterns: [Pattern]
    /// Patterns that always run through PCRE2 because the prefilter cannot nominate them.
    public let exclusions: [Exclusion]
    /// How the prefilter finds each pattern.
    public let routes: [Route]
    /// The candidates of every text before scanning: the patterns the prefilter cannot take.
    private let alwaysRunSet: CandidateSet
    /// The patterns scanned for in every text.
    private let database: HyperscanDatabase?
    /// Patterns every match of which has a code point from some buckets (`\p{Cyrillic}`, `казино`) or a run of
    /// capitals: scanned for only in texts with one of them. One database per set of buckets.
    private let gated: [(buckets: UInt64, database: HyperscanDatabase)]
    /// Whether some gate asks for a run of capitals, which the text's bucket mask then looks for.
    private let gatesOnCapitals: Bool
    /// Spelled-out words (`c[\s.*_-]*r[\s.*_-]*y…`), scanned for as literals in the text's alphanumeric skeleton.
    private let skeletonDatabase: HyperscanDatabase?

    /// Repeat bounds above this keep a pattern out of Hyperscan: its compile time explodes with them.
    public static let maximumPrefilterRepeat = 100

    /// Builds the set. With `prefilter: false` every pattern runs through PCRE2 (the naive baseline).
    public init(_ patterns: [Pattern], prefilter: Bool = true) {
        self.patterns = patterns
        guard prefilter, !patterns.isEmpty else {
            self.exclusions = []
            self.alwaysRunSet = CandidateSet(all: patterns.count)
            self.database = nil
            self.gated = []
            self.gatesOnCapitals = false
            self.skeletonDatabase = nil
            self.routes = Array(repeating: .alwaysRun, count: patterns.count)
            return
        }
        var exclusions: [Exclusion] = []
        var plain: [Int] = []
        var skeletons: [(index: Int, expression: String)] = []
        var gatedIndices: [UInt64: [Int]] = [:]
        let analyzer = AtomAnalyzer()
        for (index, pattern) in patterns.enumerated() {
            if let bound = Self.largestRepeatBound(in: pattern.source), bound > Self.maximumPrefilterRepeat {
                exclusions.append(Exclusion(index: index, reason: "repeat bound \(bound) is too large for Hyperscan"))
            } else if let structure = PatternStructure(source: pattern.source, options: pattern.options) {
                if let expression = AlphanumericSkeleton.prefilter(for: structure, using: analyzer) {
                    skeletons.append((index, expression))
                } else if let buckets = structure.requiredBuckets(using: analyzer) {
                    gatedIndices[buckets, default: []].append(index)
                } else {
                    plain.append(index)
                }
            } else {
                plain.append(index)
            }
        }

        // A skeleton expression Hyperscan rejects leaves its pattern to the plain database.
        var skeletonDatabase: HyperscanDatabase?
        var skeletonRoutes: [(index: Int, expression: String)] = []
        while !skeletons.isEmpty {
            switch HyperscanDatabase.compile(skeletons.map { .init(bytes: $0.expression, id: UInt32($0.index)) }) {
            case .success(let compiled):
                skeletonDatabase = compiled
                skeletonRoutes = skeletons
                skeletons = []
            case .failure(let failure):
                guard let position = failure.expression, skeletons.indices.contains(position) else {
                    plain += skeletons.map(\.index)
                    skeletons = []
                    break
                }
                plain.append(skeletons.remove(at: position).index)
            }
        }
        let (latinGated, gates) = Self.splittingLatinGates(gatedIndices)
        plain += latinGated
        var gated: [(buckets: UInt64, database: HyperscanDatabase)] = []
        for (buckets, indices) in gates.sorted(by: { $0.key < $1.key }) {
            if let compiled = Self.compile(indices, of: patterns, excluding: &exclusions) {
                gated.append((buckets, compiled))
            }
        }
        self.database = plain.isEmpty ? nil : Self.compile(plain.sorted(), of: patterns, excluding: &exclusions)
        self.gated = gated
        self.gatesOnCapitals = gated.contains { $0.buckets & ScalarBuckets.capitalRunMask != 0 }
        self.skeletonDatabase = skeletonDatabase
        self.exclusions = exclusions.sorted { $0.index < $1.index }
        var alwaysRunSet = CandidateSet(capacity: patterns.count)
        for exclusion in self.exclusions { alwaysRunSet.insert(exclusion.index) }
        self.alwaysRunSet = alwaysRunSet
        var routes = Array(repeating: Route.scanned, count: patterns.count)
        for index in gates.values.joined() { routes[index] = .gated }
        for (index, _) in skeletonRoutes { routes[index] = .skeleton }
        for exclusion in self.exclusions { routes[exclusion.index] = .alwaysRun }
        self.routes = routes
    }

    /// The patterns of the gate groups that a Latin-1 or Latin Extended letter opens (`é`, `ñ`, `ł`, `ı`…), which
    /// are scanned for in every text instead, and the other groups, which keep their gates.
    ///
    /// Most posts in a European language have such a letter, and opening a gate is a pass over the text with a
    /// database of its own. These patterns are words and phrases (`préstamos`, `hemen tıkla`): in the database
    /// scanned for in every text they cost next to nothing on texts without their letters, and save the extra
    /// pass on texts with them (on the bench's 713-byte post, a separate Latin pass took 0.4–0.7 µs and the
    /// merged database scanned as fast as the plain one, measured with a C loop that evicts the cache between
    /// scans). Other groups stay gated: emoji runs (`[💰💵…]{9,}`), rare-script mixes
    /// (`\p{Latin}{3,}\p{Cyrillic}`) and capital runs are costly to scan for, and texts with them are rarer.
    static func splittingLatinGates(_ groups: [UInt64: [Int]]) -> (latin: [Int], gates: [UInt64: [Int]]) {
        let latin = UInt64(1) << ScalarBuckets.bucket(of: 0xE9)
        var gates: [UInt64: [Int]] = [:]
        var latinIndices: [Int] = []
        for (buckets, indices) in groups {
            if buckets & latin != 0, buckets & ScalarBuckets.capitalRunMask == 0 {
                latinIndices += indices
            } else {
                gates[buckets] = indices.sorted()
            }
        }
        return (latinIndices.sorted(), gates)
    }

    /// A database of `indices`, each pattern in the fastest mode Hyperscan takes; patterns no mode takes are
    /// added to `exclusions`.
    private static func compile(
        _ indices: [Int], of patterns: [Pattern], excluding exclusions: inout [Exclusion]
    ) -> HyperscanDatabase? {
        var candidates = indices
        var modes = Dictionary(uniqueKeysWithValues: candidates.map { ($0, HyperscanDatabase.Mode.fastest(for: patterns[$0])) })
        while !candidates.isEmpty {
            let expressions = candidates.map { HyperscanDatabase.Expression(patterns[$0], id: UInt32($0), mode: modes[$0]!) }
            switch HyperscanDatabase.compile(expressions) {
            case .success(let compiled):
                return compiled
            case .failure(let failure):
                guard let position = failure.expression, candidates.indices.contains(position) else {
                    // Not attributable to one pattern: give up on the prefilter rather than guess.
                    exclusions += candidates.map { Exclusion(index: $0, reason: "Hyperscan: \(failure.message)") }
                    return nil
                }
                let index = candidates[position]
                if let next = modes[index]!.fallback {
                    modes[index] = next
                } else {
                    exclusions.append(Exclusion(index: index, reason: "Hyperscan: \(failure.message)"))
                    candidates.remove(at: position)
                }
            }
        }
        return nil
    }

    /// How many patterns the prefilter covers.
    public var prefilteredCount: Int { patterns.count - alwaysRunSet.count }

    /// The patterns that may match `text`: nominated by Hyperscan, plus every pattern it cannot take.
    /// A pattern outside this set certainly does not match.
    public func candidates(in text: String, input: ScanInput? = nil) throws(MatchingError) -> CandidateSet {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(MatchingError) in try candidates(in: bytes, input: input) } }
            .get()
    }

    /// What scanning one text needs besides its bytes, derived from the text alone: its bucket mask (when some
    /// gate reads it) and its alphanumeric skeleton (when some pattern is scanned for there).
    ///
    /// Computing it is part of preparing a subject (normalising), like folding: a replay prepares on worker
    /// cores ahead of the in-order evaluation, and evaluation then only scans.
    public struct ScanInput: Sendable {
        let buckets: UInt64
        let skeleton: [UInt8]
    }

    /// The scan input of `text` for this set.
    public func scanInput(for text: String) -> ScanInput {
        var text = text
        return text.withUTF8(scanInput(of:))
    }

    /// The scan input of UTF-8 `bytes` for this set.
    private func scanInput(of bytes: UnsafeBufferPointer<UInt8>) -> ScanInput {
        let buckets = gated.isEmpty || bytes.isEmpty ? 0 : ScalarBuckets.mask(of: bytes, capitalRuns: gatesOnCapitals)
        guard skeletonDatabase != nil, !bytes.isEmpty else { return ScanInput(buckets: buckets, skeleton: []) }
        let skeleton = [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            count = AlphanumericSkeleton.write(bytes, into: buffer)
        }
        return ScanInput(buckets: buckets, skeleton: skeleton)
    }

    /// The candidates for UTF-8 `bytes`, with their scan input when it was computed ahead (`scanInput(for:)` of
    /// the same text).
    public func candidates(in bytes: UnsafeBufferPointer<UInt8>, input: ScanInput? = nil) throws(MatchingError) -> CandidateSet {
        // Most channels of a post are empty (no summary, no alt text): they share one set, allocated once.
        guard !bytes.isEmpty else { return alwaysRunSet }
        let input = input ?? scanInput(of: bytes)
        var set = alwaysRunSet
        if let database {
            try database.scan(bytes, into: &set)
        }
        for group in gated where group.buckets & input.buckets != 0 {
            try group.database.scan(bytes, into: &set)
        }
        if let skeletonDatabase, !input.skeleton.isEmpty {
            try input.skeleton.withUnsafeBufferPointer { skeleton in
                Result { () throws(MatchingError) in try skeletonDatabase.scan(skeleton, into: &set) }
            }.get()
        }
        return set
    }

    /// Every pattern that matches `text`, with its first span, confirmed by PCRE2. Errors (limit hits) are
    /// reported per pattern and do not stop the others.
    public func matches(in text: String) -> [(index: Int, result: Result<MatchSpan, MatchingError>)] {
        var text = text
        return text.withUTF8 { bytes in
            let nominated: CandidateSet
            do {
                nominated = try candidates(in: bytes)
            } catch {
                nominated = CandidateSet(all: patterns.count)
            }
            var results: [(index: Int, result: Result<MatchSpan, MatchingError>)] = []
            for index in nominated {
                do {
                    if let span = try patterns[index].firstMatch(in: bytes) {
                        results.append((index, .success(span)))
                    }
                } catch let error as MatchingError {
                    results.append((index, .failure(error)))
                } catch {
                    results.append((index, .failure(MatchingError(code: .matchFailed, message: "\(error)"))))
                }
            }
            return results
        }
    }

    /// The largest number in a `{n}`, `{n,}` or `{n,m}` quantifier of `source`, if any.
    public static func largestRepeatBound(in source: String) -> Int? {
        var largest: Int?
        var escaped = false
        var inClass = false
        var iterator = source.unicodeScalars.makeIterator()
        var pending: [Unicode.Scalar] = []
        func next() -> Unicode.Scalar? { pending.isEmpty ? iterator.next() : pending.removeFirst() }
        while let scalar = next() {
            if escaped {
                escaped = false
                continue
            }
            switch scalar {
            case "\\": escaped = true
            case "[": inClass = true
            case "]": inClass = false
            case "{" where !inClass:
                var digits = ""
                var numbers: [Int] = []
                var closed = false
                var consumed: [Unicode.Scalar] = []
                while let inner = next() {
                    consumed.append(inner)
                    if inner.properties.numericType == .decimal, inner.isASCII {
                        digits.unicodeScalars.append(inner)
                    } else if inner == "," {
                        numbers.append(Int(digits.prefix(9)) ?? 0)
                        digits = ""
                    } else if inner == "}" {
                        if !digits.isEmpty { numbers.append(Int(digits.prefix(9)) ?? 0) }
                        closed = true
                        break
                    } else {
                        break
                    }
                }
                if closed, let bound = numbers.max() {
                    largest = max(largest ?? 0, bound)
                } else if !closed, let last = consumed.last {
                    pending.append(last)
                }
            default: break
            }
        }
        return largest
    }
}

/// A set of pattern indices, as a bitmap.
public struct CandidateSet: Sendable, Sequence {
    private var words: [UInt64]
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
        self.words = Array(repeating: 0, count: (capacity + 63) / 64)
    }

    /// A set holding every index below `all`.
    public init(all: Int) {
        self.init(capacity: all)
        for index in 0..<all { insert(index) }
    }

    public mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    public func contains(_ index: Int) -> Bool {
        index >= 0 && index < capacity && words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// Adds every member of `other` (of the same capacity).
    public mutating func formUnion(_ other: CandidateSet) {
        for index in words.indices where index < other.words.count { words[index] |= other.words[index] }
    }

    /// Keeps only members also in `other`.
    public mutating func formIntersection(_ other: CandidateSet) {
        for index in words.indices { words[index] &= index < other.words.count ? other.words[index] : 0 }
    }

    public func makeIterator() -> Iterator {
        Iterator(words: words)
    }

    /// Visits members in increasing order.
    public struct Iterator: IteratorProtocol {
        let words: [UInt64]
        var wordIndex = 0
        var current: UInt64

        init(words: [UInt64]) {
            self.words = words
            self.current = words.first ?? 0
        }

        public mutating func next() -> Int? {
            while current == 0 {
                wordIndex += 1
                guard wordIndex < words.count else { return nil }
                current = words[wordIndex]
            }
            let bit = current.trailingZeroBitCount
            current &= current - 1
            return wordIndex * 64 + bit
        }
    }

    mutating func withUnsafeMutableWords<R>(_ body: (UnsafeMutableBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try words.withUnsafeMutableBufferPointer { try body($0) }
    }
}
