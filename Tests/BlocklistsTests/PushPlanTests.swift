import Testing

@testable import Blocklists

@Suite struct PushPlanTests {
    let marker = PushMarker.standard

    func remote(
        _ id: String, _ domain: String, _ severity: BlockSeverity, rejectMedia: Bool = false, owned: Bool,
        comment: String = ""
    ) -> RemoteDomainBlock {
        RemoteDomainBlock(
            id: id, domain: domain,
            settings: RemoteBlockSettings(
                severity: severity, rejectMedia: rejectMedia,
                privateComment: owned ? marker.privateComment(carrying: comment) : comment))
    }

    /// The server's list after carrying out `plan` as a Mastodon server would.
    func apply(_ plan: PushPlan, to remote: [RemoteDomainBlock]) -> [RemoteDomainBlock] {
        var blocks = Dictionary(uniqueKeysWithValues: remote.map { ($0.id, $0) })
        for delete in plan.deletes { blocks[delete.remote.id] = nil }
        for update in plan.updates { blocks[update.remote.id]?.settings = update.settings }
        for (number, create) in plan.creates.enumerated() {
            blocks["new\(number)"] = RemoteDomainBlock(
                id: "new\(number)", domain: create.domain, settings: create.settings)
        }
        return Array(blocks.values)
    }

    @Test func newEntriesAreCreatedWithFlagsCommentsObfuscationAndTheMarker() {
        let block = DomainBlock(
            domain: "bad.example", severity: .silence, rejectMedia: true, rejectReports: true,
            privateComment: "seen in case 12", publicComment: "spam", obfuscate: true)
        let plan = PushPlan(applied: [block], remote: [])
        #expect(
            plan.creates == [
                .init(
                    domain: "bad.example",
                    settings: RemoteBlockSettings(
                        severity: .silence, rejectMedia: true, rejectReports: true,
                        privateComment: "seen in case 12\n" + marker.line, publicComment: "spam", obfuscate: true))
            ])
        #expect(plan.updates.isEmpty && plan.deletes.isEmpty && plan.conflicts.isEmpty)
        #expect(marker.marks(plan.creates[0].settings.privateComment))
        #expect(!marker.marks("seen in case 12"))
    }

    @Test func ownedBlocksAreUpdatedAndOthersBlocksAreReportedNeverTouched() {
        let applied = [
            DomainBlock(domain: "ours.example", severity: .suspend),
            DomainBlock(domain: "stricter.example", severity: .silence),
            DomainBlock(domain: "milder.example", severity: .suspend),
            DomainBlock(domain: "flags.example", severity: .silence, rejectMedia: true),
            DomainBlock(domain: "same.example", severity: .suspend),
        ]
        let remote = [
            remote("1", "ours.example", .silence, owned: true),
            remote("2", "stricter.example", .suspend, owned: false),
            remote("3", "milder.example", .silence, owned: false),
            remote("4", "flags.example", .silence, owned: false),
            remote("5", "same.example", .suspend, owned: false, comment: "theirs"),
            remote("6", "unrelated.example", .suspend, owned: false),
        ]
        let plan = PushPlan(applied: applied, remote: remote)
        #expect(plan.updates.map(\.remote.id) == ["1"])
        #expect(plan.updates[0].settings.severity == .suspend)
        #expect(plan.updates[0].escalatesToSuspend)
        #expect(plan.creates.isEmpty)
        #expect(plan.deletes.isEmpty)
        #expect(plan.conflicts.map(\.domain) == ["flags.example", "milder.example", "stricter.example"])
        #expect(plan.conflicts.map(\.kind) == [.milder, .milder, .stricter])
        #expect(plan.matchingOthers == ["same.example"])
    }

    @Test func retractedAndUnlistedEntriesDeleteOnlyOwnedBlocks() {
        let applied = [
            DomainBlock(domain: "gone.example", state: .retracted),
            DomainBlock(domain: "theirs.example", state: .retracted),
            DomainBlock(domain: "never.example", state: .retracted),
        ]
        let remote = [
            remote("1", "gone.example", .suspend, owned: true),
            remote("2", "theirs.example", .suspend, owned: false),
            remote("3", "dropped.example", .silence, owned: true),
            remote("4", "other.example", .silence, owned: false),
        ]
        let plan = PushPlan(applied: applied, remote: remote)
        #expect(plan.deletes.map(\.remote.id) == ["3", "1"])
        #expect(plan.deletes.map(\.reason) == [.unlisted, .retracted])
        #expect(plan.conflicts.map(\.kind) == [.retractedButNotOwned])
        #expect(plan.conflicts.map(\.domain) == ["theirs.example"])
        #expect(plan.creates.isEmpty && plan.updates.isEmpty)
    }

    @Test func anAdminWhoDeletesTheMarkerTakesTheBlockOver() {
        let applied = [DomainBlock(domain: "x.example", severity: .suspend, privateComment: "ours")]
        let taken = RemoteDomainBlock(
            id: "1", domain: "x.example", settings: RemoteBlockSettings(severity: .silence, privateComment: "ours"))
        let plan = PushPlan(applied: applied, remote: [taken])
        #expect(plan.updates.isEmpty)
        #expect(plan.conflicts.map(\.kind) == [.milder])
    }

    @Test func pushingTwiceChangesNothingTheSecondTime() {
        let applied = [
            DomainBlock(domain: "a.example", severity: .silence, rejectReports: true, publicComment: "spam"),
            DomainBlock(domain: "b.example", severity: .suspend, privateComment: "case 4\n" + marker.line),
            DomainBlock(domain: "c.example", severity: .noop, state: .retracted),
            DomainBlock(domain: "sub.a.example", severity: .suspend),
            DomainBlock(domain: "conflict.example", severity: .suspend),
        ]
        let remote = [
            remote("1", "c.example", .suspend, owned: true),
            remote("2", "b.example", .silence, owned: true, comment: "old"),
            remote("3", "conflict.example", .silence, owned: false),
            remote("4", "ünicode.example", .suspend, owned: true),
        ]
        let first = PushPlan(applied: applied, remote: remote)
        #expect(!first.isEmpty)
        #expect(first.creates.map(\.domain) == ["a.example", "sub.a.example"])
        #expect(first.updates.map(\.domain) == ["b.example"])
        #expect(first.updates[0].settings.privateComment == "case 4\n" + marker.line)
        #expect(first.deletes.map(\.domain) == ["c.example", "xn--nicode-2ya.example"])
        let second = PushPlan(applied: applied, remote: apply(first, to: remote))
        #expect(second.isEmpty)
        #expect(second.unchanged == ["a.example", "b.example", "sub.a.example"])
        #expect(second.conflicts.map(\.domain) == ["conflict.example"])
    }

    @Test func aBlockMilderThanTheServersParentBlockIsReportedNotSent() {
        let applied = [
            DomainBlock(domain: "example.com", severity: .suspend),
            DomainBlock(domain: "carve.example.com", severity: .silence),
            DomainBlock(domain: "media.other.example", severity: .silence),
            DomainBlock(domain: "deep.media.other.example", severity: .suspend),
        ]
        let remote = [remote("1", "other.example", .silence, rejectMedia: true, owned: false)]
        let plan = PushPlan(applied: applied, remote: remote)
        #expect(plan.creates.map(\.domain) == ["deep.media.other.example", "example.com"])
        #expect(
            plan.conflicts.map(\.kind) == [.coveredByParent("example.com"), .coveredByParent("other.example")])
        #expect(plan.conflicts.map(\.domain) == ["carve.example.com", "media.other.example"])
    }

    @Test func verificationNamesEachPushedDomainTheServerDoesNotCarryAsIntended() {
        let suspend = RemoteBlockSettings(severity: .suspend, privateComment: marker.line)
        let silence = RemoteBlockSettings(severity: .silence, privateComment: marker.line)
        let readBack = [
            RemoteDomainBlock(id: "1", domain: "ok.example", settings: suspend),
            RemoteDomainBlock(id: "2", domain: "wrong.example", settings: silence),
            RemoteDomainBlock(id: "3", domain: "undeleted.example", settings: silence),
        ]
        let expected: [String: RemoteBlockSettings?] = [
            "ok.example": suspend, "wrong.example": suspend, "missing.example": suspend, "undeleted.example": nil,
        ]
        #expect(expected.count == 4)
        let mismatches = PushVerification.mismatches(expected: expected, readBack: readBack)
        #expect(mismatches.map(\.domain) == ["missing.example", "undeleted.example", "wrong.example"])
        #expect(
            mismatches.map(\.description) == [
                "missing.example: pushed as suspend, but the server lists no block on it",
                "undeleted.example: deleted, but the server still lists it (silence)",
                "wrong.example: pushed as suspend, but the server lists silence",
            ])
    }
}
