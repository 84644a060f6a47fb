extension PatternStructure {
    /// Buckets (`ScalarBuckets`) of which every match has a code point, or nil when a match may do without any
    /// non-ASCII code point. A text whose bucket mask misses all of them cannot match. An atom that only matches
    /// ASCII capitals, repeated at least three times (`[A-Z]{12,}`), needs a capital-run pseudo-bucket.
    ///
    /// A sequence needs what any of its required elements needs (the rarest is taken); alternatives need the
    /// union of what each needs.
    func requiredBuckets(using analyzer: AtomAnalyzer) -> UInt64? {
        Self.requiredBuckets(of: alternatives, using: analyzer)
    }

    private static func requiredBuckets(of alternatives: [[Element]], using analyzer: AtomAnalyzer) -> UInt64? {
        var union: UInt64 = 0
        for sequence in alternatives {
            var rarest: UInt64?
            for element in sequence where element.minimum >= 1 {
                var needed: UInt64?
                switch element.kind {
                case .assertion: continue
                case .atom(let atom):
                    needed = analyzer.buckets(of: atom)
                    if needed == nil, let run = ScalarBuckets.capitalRunBucket(atLeast: element.minimum),
                        analyzer.matchesOnlyCapitals(atom)
                    {
                        needed = run
                    }
                case .group(let inner): needed = requiredBuckets(of: inner, using: analyzer)
                }
                guard let needed else { continue }
                if let current = rarest, ScalarBuckets.commonness(current) <= ScalarBuckets.commonness(needed) {
                    continue
                }
                rarest = needed
            }
            guard let rarest else { return nil }
            union |= rarest
        }
        return union
    }
}
