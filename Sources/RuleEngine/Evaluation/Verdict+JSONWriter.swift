public import ActivityPub

extension JSONWriter {
    /// A member its writer adds next to a verdict's.
    public typealias Member = (name: String, write: (inout JSONWriter) -> Void)

    /// A verdict as one JSON object: `action`, `errors`, `hits`, `ruleset_version`, `score`, `shadow_hits`, and
    /// whatever `extras` each caller adds (the hook's `case` and `signature`, `check`'s `source`), all keys
    /// sorted. The one way verdicts are written: the hook, `herdwatch check --format json` and the case API.
    public mutating func verdict(_ verdict: Verdict, adding extras: [Member] = []) {
        var members: [Member] = [
            ("action", { $0.value(verdict.action.rawValue) }),
            ("errors", { $0.ruleFailures(verdict.errors) }),
            ("hits", { $0.ruleHits(verdict.hits) }),
            ("ruleset_version", { $0.value(verdict.rulesetVersion) }),
            ("score", { $0.value(verdict.score) }),
            ("shadow_hits", { $0.ruleHits(verdict.shadowHits) }),
        ]
        members += extras
        members.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        object { json in
            for member in members {
                json.key(member.name)
                member.write(&json)
            }
        }
    }

    /// Rule hits as `herdwatch check --format json` and the hook print them, keys sorted.
    public mutating func ruleHits(_ hits: [RuleHit]) {
        array(hits) { json, hit in
            json.object { json in
                if let action = hit.action { json.member("action", action.rawValue) }
                json.member("description", hit.description)
                json.key("evidence")
                json.array(hit.evidence) { json, evidence in
                    json.object { json in
                        json.member("detail", evidence.detail)
                        json.member("field", evidence.field)
                        json.member("kind", evidence.kind.rawValue)
                        if let span = evidence.span {
                            json.key("span")
                            json.object { json in
                                json.member("character_end", span.characterEnd)
                                json.member("character_start", span.characterStart)
                                json.member("excerpt", span.excerpt)
                                json.member("form", span.form)
                                json.member("utf8_end", span.utf8End)
                                json.member("utf8_start", span.utf8Start)
                            }
                        }
                    }
                }
                json.key("labels")
                json.array(hit.labels) { json, label in
                    json.object { json in
                        if let hours = label.hours { json.member("hours", hours) }
                        json.member("name", label.name)
                        json.member("scope", label.scope.rawValue)
                    }
                }
                json.member("rule", hit.rule)
                json.member("score", hit.score)
                json.key("tags")
                json.array(hit.tags) { json, tag in json.value(tag) }
            }
        }
    }

    /// Rules that could not be evaluated, keys sorted.
    public mutating func ruleFailures(_ failures: [RuleFailure]) {
        array(failures) { json, failure in
            json.object { json in
                json.member("message", failure.message)
                json.member("rule", failure.rule)
            }
        }
    }
}
