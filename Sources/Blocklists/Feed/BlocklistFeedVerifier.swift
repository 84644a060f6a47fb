public import Foundation

/// Checks what a subscription fetched from a signed publisher, with no I/O: signature by a trusted key, format,
/// expiry, and place in the chain after the last snapshot accepted. Each refusal says precisely why
/// (`BlocklistFeedRejection.Reason`).
public enum BlocklistFeedVerifier {
    /// A signed snapshot (`SignedEnvelope` bytes). `provenance` is stamped on the entries returned.
    public static func snapshot(
        _ bytes: Data, trustedKeys: [String], last: BlocklistFeedCheckpoint?, now: Date,
        provenance: BlockProvenance? = nil
    ) throws(BlocklistFeedRejection) -> BlocklistSnapshot {
        let envelope = try SignedEnvelope(decoding: bytes)
        try envelope.verify(trustedKeys: trustedKeys)
        let snapshot = try BlocklistSnapshot(payload: envelope.payload, provenance: provenance)
        try checkFreshness(expiresAt: snapshot.expiresAt, sequence: snapshot.sequence, now: now)
        try checkChain(snapshot.checkpoint, history: snapshot.history, after: last)
        return snapshot
    }

    /// A file (CSV, text) with its detached signature (`SignedEnvelope` bytes of the `.sig`).
    public static func detached(
        file: Data, signature: Data, trustedKeys: [String], last: BlocklistFeedCheckpoint?, now: Date
    ) throws(BlocklistFeedRejection) -> DetachedSignature {
        let envelope = try SignedEnvelope(decoding: signature)
        try envelope.verify(trustedKeys: trustedKeys)
        let signed = try DetachedSignature(payload: envelope.payload)
        let actual = FeedJSON.sha256(file)
        guard actual == signed.sha256 else {
            throw BlocklistFeedRejection(
                .fileMismatch,
                "the file's SHA-256 is \(actual) but its signature names \(signed.sha256) (\(signed.file), sequence "
                    + "\(signed.sequence)): the file was changed, or the two were fetched from different versions")
        }
        try checkFreshness(expiresAt: signed.expiresAt, sequence: signed.sequence, now: now)
        try checkChain(signed.checkpoint, history: signed.history, after: last)
        return signed
    }

    static func checkFreshness(expiresAt: Date, sequence: Int, now: Date) throws(BlocklistFeedRejection) {
        guard now < expiresAt else {
            throw BlocklistFeedRejection(
                .expired,
                "snapshot \(sequence) expired at \(ISO8601DateFormatter().string(from: expiresAt)); the publisher "
                    + "has not re-signed its list (ask them to check their server), or a newer one is withheld")
        }
    }

    static func checkChain(
        _ current: BlocklistFeedCheckpoint, history: [BlocklistFeedCheckpoint], after last: BlocklistFeedCheckpoint?
    ) throws(BlocklistFeedRejection) {
        guard let last else { return }
        if current.sequence < last.sequence {
            throw BlocklistFeedRejection(
                .rollback,
                "snapshot \(current.sequence) is older than snapshot \(last.sequence), accepted before: an old "
                    + "version is being served again; the entries from \(last.sequence) stay")
        }
        if current.sequence == last.sequence {
            let same = current.sha256 == last.sha256
            throw BlocklistFeedRejection(
                .replay,
                same
                    ? "snapshot \(current.sequence) was already accepted"
                    : "snapshot \(current.sequence) differs from the snapshot \(last.sequence) accepted before "
                        + "(\(current.sha256) vs \(last.sha256)): the publisher signed two lists with one sequence")
        }
        guard let recorded = history.first(where: { $0.sequence == last.sequence }) else {
            let oldest = history.last?.sequence ?? current.sequence
            throw BlocklistFeedRejection(
                .gap,
                "snapshot \(current.sequence) does not reach back to snapshot \(last.sequence), accepted before "
                    + "(its history starts at \(oldest)); if the publisher restarted its chain, remove and re-add "
                    + "the subscription")
        }
        guard recorded.sha256 == last.sha256 else {
            throw BlocklistFeedRejection(
                .gap,
                "snapshot \(current.sequence) names \(recorded.sha256) as snapshot \(last.sequence), but the one "
                    + "accepted had \(last.sha256): the chain was forked or rewritten; nothing was accepted")
        }
    }
}
