import Matching

/// A rule's condition as evaluation reads it: the same tree as `Condition`, with each leaf behind a reference.
///
/// Deciding a rule walks its condition once or twice per evaluation. Switching over `Condition` copies each
/// leaf's value out of the enum (a pattern, field lists, slots, a detail string), retaining and releasing every
/// reference in it; a leaf behind a class is one reference.
indirect enum CompiledCondition: Sendable {
    case text(TextLeaf)
    case domains(DomainLeaf)
    case field(FieldLeaf)
    case all([CompiledCondition])
    case any([CompiledCondition])
    case not(CompiledCondition)
    case atLeast(Int, [CompiledCondition])

    init(_ condition: Condition) {
        switch condition {
        case .text(let text): self = .text(TextLeaf(text))
        case .domains(let domains): self = .domains(DomainLeaf(domains))
        case .field(let field): self = .field(FieldLeaf(field))
        case .all(let children): self = .all(children.map(CompiledCondition.init))
        case .any(let children): self = .any(children.map(CompiledCondition.init))
        case .not(let child): self = .not(CompiledCondition(child))
        case .atLeast(let count, let children): self = .atLeast(count, children.map(CompiledCondition.init))
        }
    }
}

/// What evaluating a text condition reads, each field stored apart: reading one from the reference copies only
/// that field.
final class TextLeaf: Sendable {
    let slots: [PatternSlot]
    let pattern: Pattern
    let matchDetail: String

    init(_ condition: TextCondition) {
        slots = condition.slots
        pattern = condition.pattern
        matchDetail = condition.matchDetail
    }
}

final class DomainLeaf: Sendable {
    let condition: DomainCondition
    init(_ condition: DomainCondition) { self.condition = condition }
}

final class FieldLeaf: Sendable {
    let condition: FieldCondition
    init(_ condition: FieldCondition) { self.condition = condition }
}
