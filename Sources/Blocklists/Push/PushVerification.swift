/// The check after a push: the server, read back, carries every change that was made as intended.
public enum PushVerification {
    /// A pushed domain the server does not carry as intended.
    public struct Mismatch: Sendable, Hashable, CustomStringConvertible {
        public var domain: String
        /// What the push set; nil when it deleted the block.
        public var expected: RemoteBlockSettings?
        /// What the server lists; nil when it lists no block on the domain.
        public var found: RemoteBlockSettings?

        public var description: String {
            switch (expected, found) {
            case (nil, let found?): "\(domain): deleted, but the server still lists it (\(found.policyDescription))"
            case (let expected?, nil):
                "\(domain): pushed as \(expected.policyDescription), but the server lists no block on it"
            case (let expected?, let found?):
                "\(domain): pushed as \(expected.policyDescription), but the server lists "
                    + "\(found.policyDescription)\(Self.differences(expected, found))"
            case (nil, nil): "\(domain): as intended"
            }
        }

        /// Names the fields that differ besides the policy.
        private static func differences(_ expected: RemoteBlockSettings, _ found: RemoteBlockSettings) -> String {
            var names: [String] = []
            if expected.privateComment != found.privateComment { names.append("private_comment") }
            if expected.publicComment != found.publicComment { names.append("public_comment") }
            if expected.obfuscate != found.obfuscate { names.append("obfuscate") }
            return names.isEmpty ? "" : " (and differs in \(names.joined(separator: ", ")))"
        }
    }

    /// The mismatches between `expected` (domain to the settings pushed, nil for a delete) and `readBack`, the
    /// server's list after the push, sorted by domain.
    public static func mismatches(
        expected: [String: RemoteBlockSettings?], readBack: [RemoteDomainBlock]
    ) -> [Mismatch] {
        var found: [String: RemoteBlockSettings] = [:]
        for block in readBack { found[PushPlan.normalized(block.domain)] = block.settings }
        return expected.keys.sorted().compactMap { domain in
            let intended = expected[domain] ?? nil
            let actual = found[domain]
            return intended == actual ? nil : Mismatch(domain: domain, expected: intended, found: actual)
        }
    }
}
