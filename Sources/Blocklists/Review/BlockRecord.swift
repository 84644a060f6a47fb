public import Foundation

/// A `DomainBlock` as JSON, for batch logs and the review API: every field, provenance flattened.
public struct BlockRecord: Sendable, Hashable, Codable {
    public var domain: String
    public var severity: BlockSeverity
    public var rejectMedia: Bool
    public var rejectReports: Bool
    public var privateComment: String
    public var publicComment: String
    public var obfuscate: Bool
    public var reasons: [BlockReason]
    public var evidence: [String]
    public var state: DomainBlock.State
    public var revision: Int
    /// `person`, `list` or `subscription`.
    public var originKind: String?
    public var originName: String?
    public var originAt: Date?
    public var originNote: String?

    public init(_ block: DomainBlock) {
        domain = block.domain
        severity = block.severity
        rejectMedia = block.rejectMedia
        rejectReports = block.rejectReports
        privateComment = block.privateComment
        publicComment = block.publicComment
        obfuscate = block.obfuscate
        reasons = block.reasons.sorted()
        evidence = block.evidence
        state = block.state
        revision = block.revision
        originKind = block.provenance?.origin.kind
        originName = block.provenance?.origin.name
        originAt = block.provenance?.at
        originNote = block.provenance?.note
    }

    public var block: DomainBlock {
        let origin = originKind.flatMap { BlockProvenance.Origin(kind: $0, name: originName ?? "") }
        return DomainBlock(
            domain: domain, severity: severity, rejectMedia: rejectMedia, rejectReports: rejectReports,
            privateComment: privateComment, publicComment: publicComment, obfuscate: obfuscate, reasons: Set(reasons),
            evidence: evidence, state: state, revision: revision,
            provenance: origin.map { BlockProvenance(origin: $0, at: originAt, note: originNote) })
    }
}
