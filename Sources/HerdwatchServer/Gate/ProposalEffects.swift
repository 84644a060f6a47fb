import Blocklists
import Foundation
import ReviewQueue

/// What a confirmed proposal does beyond its audit record. A confirmed `block_domain` suspends the domain as one
/// of our own blocks, one audited batch on the blocklists page that can be undone there like any other. The other
/// proposals (limit or suspend an actor) are carried out on the instance, which Herdwatch does not administer.
enum ProposalEffects {
    /// Carries out `proposal` when it was just confirmed by `actor`. Throws when the block cannot be written.
    static func confirmed(
        _ proposal: Proposal, by actor: String, review: BlocklistReview?, channel: BlocklistBatch.Channel
    ) async throws {
        guard proposal.state == .confirmed, proposal.action == .blockDomain, let review else { return }
        var note = "proposed by \(proposal.proposedBy) on case \(proposal.caseID), confirmed by \(actor)"
        if let text = proposal.note, !text.isEmpty { note += ": \(text)" }
        let block = DomainBlock(
            domain: proposal.target, severity: .suspend, privateComment: note,
            reasons: BlockReason(rawValue: proposal.reason).map { [$0] } ?? [],
            provenance: BlockProvenance(origin: .person(actor), at: proposal.resolvedAt ?? Date(), note: note))
        try await review.block(block, actor: actor, channel: channel)
    }
}
