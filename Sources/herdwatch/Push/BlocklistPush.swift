import Blocklists

/// One push of our applied list to a Mastodon server: read its blocks, plan, check follows before suspending,
/// send the changes (each failure recorded per domain, the rest carried on), then read the list back and
/// compare. The report is what the CLI prints.
struct BlocklistPush {
    let client: MastodonAdminClient
    /// Hold a suspension (new or escalated) of a domain local accounts follow more than this many times; nil
    /// asks no measures.
    var maxFollows: Int?
    var dryRun: Bool

    func run(applied: [DomainBlock]) async throws(PushRequestError) -> PushReport {
        let remote = try await client.domainBlocks()
        let plan = PushPlan(applied: applied, remote: remote)
        var report = PushReport(dryRun: dryRun, plan: plan)
        var expected: [String: RemoteBlockSettings?] = [:]

        for (index, delete) in plan.deletes.enumerated() {
            if dryRun { continue }
            do {
                try await client.delete(id: delete.remote.id)
                report.deletes[index].status = .done
                expected[delete.domain] = .some(nil)
            } catch {
                try fail(&report.deletes[index], error)
            }
        }
        for (index, update) in plan.updates.enumerated() {
            if update.escalatesToSuspend, try await isHeld(update.domain, &report.updates[index]) { continue }
            if dryRun { continue }
            do {
                try await client.update(id: update.remote.id, update.settings)
                report.updates[index].status = .done
                expected[update.domain] = update.settings
            } catch {
                try fail(&report.updates[index], error)
            }
        }
        for (index, create) in plan.creates.enumerated() {
            if create.settings.severity == .suspend, try await isHeld(create.domain, &report.creates[index]) {
                continue
            }
            if dryRun { continue }
            do {
                try await client.create(create.domain, create.settings)
                report.creates[index].status = .done
                expected[create.domain] = create.settings
            } catch {
                try fail(&report.creates[index], error)
            }
        }
        if !expected.isEmpty {
            let readBack = try await client.domainBlocks()
            report.mismatches = PushVerification.mismatches(expected: expected, readBack: readBack).map(\.description)
        }
        return report
    }

    /// Whether a suspension of `domain` is held because local accounts follow it more than `maxFollows`; a
    /// failed check holds it too (a suspension severs follows, so it is not made blind).
    private func isHeld(_ domain: String, _ change: inout PushReport.Change) async throws(PushRequestError) -> Bool {
        guard let maxFollows else { return false }
        do {
            let follows = try await client.instanceFollows(domain)
            change.follows = follows
            guard follows > maxFollows else { return false }
            change.status = .held
            change.error =
                "local accounts follow \(domain) \(follows) times, over --max-follows \(maxFollows); not suspended: "
                + "suspend it by hand in Mastodon or raise --max-follows"
            return true
        } catch {
            if error.isAuthorization { throw error }
            change.status = .held
            change.error = "cannot count the follows of \(domain), so it is not suspended: \(error.message)"
            return true
        }
    }

    /// Records `error` on `change`; a refused token stops the push (every other request would be refused too).
    private func fail(_ change: inout PushReport.Change, _ error: PushRequestError) throws(PushRequestError) {
        if error.isAuthorization { throw error }
        change.status = .failed
        change.error = error.message
    }
}

/// What a push planned and did, for people (`text`) and scripts (JSON).
struct PushReport: Encodable {
    enum Status: String, Encodable {
        case planned, done, held, failed
    }

    struct Change: Encodable {
        var action: String
        var domain: String
        var id: String?
        /// The server's policy before; nil for a create.
        var from: String?
        /// The policy pushed; nil for a delete.
        var to: String?
        var reason: String?
        var status: Status = .planned
        var follows: Int?
        var error: String?
    }

    struct Conflict: Encodable {
        var domain: String
        var kind: String
        var ours: String?
        var theirs: String
        /// The parent domain whose block stops ours (`covered_by_parent`).
        var parent: String?
        var message: String
    }

    var dryRun: Bool
    var deletes: [Change]
    var updates: [Change]
    var creates: [Change]
    var conflicts: [Conflict]
    var unchanged: Int
    var matchingOthers: [String]
    var mismatches: [String] = []

    init(dryRun: Bool, plan: PushPlan) {
        self.dryRun = dryRun
        deletes = plan.deletes.map {
            Change(
                action: "delete", domain: $0.domain, id: $0.remote.id, from: $0.remote.settings.policyDescription,
                reason: $0.reason == .retracted ? "retracted" : "no longer on our list")
        }
        updates = plan.updates.map {
            Change(
                action: "update", domain: $0.domain, id: $0.remote.id, from: $0.remote.settings.policyDescription,
                to: $0.settings.policyDescription,
                reason: $0.settings.hasSamePolicy(as: $0.remote.settings) ? "comments or obfuscation" : nil)
        }
        creates = plan.creates.map { Change(action: "create", domain: $0.domain, to: $0.settings.policyDescription) }
        conflicts = plan.conflicts.map(Self.conflict)
        unchanged = plan.unchanged.count
        matchingOthers = plan.matchingOthers
    }

    var changes: [Change] { deletes + updates + creates }
    var failed: Int { changes.count { $0.status == .failed } }
    var held: Int { changes.count { $0.status == .held } }

    private static func conflict(_ conflict: PushPlan.Conflict) -> Conflict {
        let theirs = conflict.remote.settings.policyDescription
        let ours = conflict.ours?.policyDescription
        let kind: String
        var parent: String?
        let message: String
        switch conflict.kind {
        case .stricter:
            kind = "stricter"
            message = "the server's own block (\(theirs)) is stricter than ours (\(ours ?? "")); left as it is"
        case .milder:
            kind = "milder"
            message =
                "the server's own block (\(theirs)) is milder than ours (\(ours ?? "")); left as it is, "
                + "change it in Mastodon or add the marker line to its private comment to let the push manage it"
        case .otherFlags:
            kind = "other_flags"
            message = "the server's own block (\(theirs)) limits other things than ours (\(ours ?? "")); left as it is"
        case .retractedButNotOwned:
            kind = "retracted_not_owned"
            message = "we retracted it, but the server's block (\(theirs)) was not made by the push; left as it is"
        case .coveredByParent(let domain):
            kind = "covered_by_parent"
            parent = domain
            message =
                "the server blocks \(domain) (\(theirs)) at least as strictly, and Mastodon refuses a milder "
                + "block (\(ours ?? "")) under it; not sent"
        }
        return Conflict(
            domain: conflict.domain, kind: kind, ours: ours, theirs: theirs, parent: parent, message: message)
    }

    /// One line per change, conflict, hold, failure and mismatch, then a summary.
    var text: String {
        var lines: [String] = []
        for change in changes {
            let symbol =
                switch change.action {
                case "create": "+"
                case "delete": "-"
                default: "~"
                }
            var line = "\(symbol) \(change.domain)  "
            switch change.action {
            case "create": line += change.to ?? ""
            case "delete": line += "\(change.from ?? "")  (\(change.reason ?? ""))"
            default: line += "\(change.from ?? "") -> \(change.to ?? "")" + (change.reason.map { "  (\($0))" } ?? "")
            }
            switch change.status {
            case .planned: line += dryRun ? "" : "  [not sent]"
            case .done: break
            case .held: line += "  [held: \(change.error ?? "")]"
            case .failed: line += "  [failed: \(change.error ?? "")]"
            }
            lines.append(line)
        }
        for conflict in conflicts { lines.append("! \(conflict.domain)  \(conflict.message)") }
        for mismatch in mismatches { lines.append("mismatch: \(mismatch)") }
        let done = { (list: [Change]) in list.count { $0.status == (dryRun ? .planned : .done) } }
        let verb = dryRun ? "dry run, would" : "pushed:"
        lines.append(
            "\(verb) create \(done(creates)), update \(done(updates)), delete \(done(deletes)); "
                + "\(unchanged) unchanged, \(matchingOthers.count) blocked alike by others, "
                + "\(conflicts.count) conflicts, \(held) held, \(failed) failed, \(mismatches.count) mismatches")
        return lines.joined(separator: "\n")
    }
}
