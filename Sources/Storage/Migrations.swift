import GRDB

/// Named, append-only schema migrations. Never edit a migration once it has shipped: add a new one.
enum Migrations {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-27-reputation") { db in
            try db.execute(
                sql: """
                    CREATE TABLE actor (
                        id TEXT PRIMARY KEY NOT NULL,
                        host TEXT NOT NULL,
                        first_seen REAL,
                        last_seen REAL NOT NULL,
                        published REAL,
                        activities_seen INTEGER NOT NULL,
                        accepted INTEGER NOT NULL,
                        flagged INTEGER NOT NULL,
                        held INTEGER NOT NULL,
                        rejected INTEGER NOT NULL,
                        spam REAL NOT NULL,
                        spam_at REAL NOT NULL,
                        ham REAL NOT NULL,
                        ham_at REAL NOT NULL
                    );
                    CREATE TABLE domain (
                        host TEXT PRIMARY KEY NOT NULL,
                        first_seen REAL,
                        last_seen REAL NOT NULL,
                        actors_seen INTEGER NOT NULL,
                        activities_seen INTEGER NOT NULL,
                        held_or_rejected INTEGER NOT NULL,
                        spam REAL NOT NULL,
                        spam_at REAL NOT NULL,
                        ham REAL NOT NULL,
                        ham_at REAL NOT NULL,
                        peer_listed INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE counter (
                        key TEXT PRIMARY KEY NOT NULL,
                        buckets BLOB NOT NULL
                    );
                    CREATE TABLE campaign (
                        id INTEGER PRIMARY KEY NOT NULL,
                        first_seen REAL NOT NULL,
                        last_seen REAL NOT NULL,
                        size INTEGER NOT NULL,
                        actors TEXT NOT NULL,
                        domains TEXT NOT NULL,
                        signature BLOB NOT NULL
                    );
                    CREATE TABLE campaign_band (
                        band INTEGER PRIMARY KEY NOT NULL,
                        campaign INTEGER NOT NULL
                    );
                    CREATE TABLE label (
                        scope TEXT NOT NULL,
                        key TEXT NOT NULL,
                        label TEXT NOT NULL,
                        expires_at REAL,
                        PRIMARY KEY (scope, key, label)
                    );
                    CREATE TABLE observation (
                        id INTEGER PRIMARY KEY,
                        at REAL NOT NULL,
                        activity_id TEXT,
                        activity_type TEXT NOT NULL,
                        actor_id TEXT NOT NULL,
                        actor_host TEXT NOT NULL,
                        action TEXT NOT NULL,
                        score REAL NOT NULL,
                        rules TEXT NOT NULL,
                        signature TEXT NOT NULL,
                        body BLOB
                    );
                    CREATE INDEX observation_actor ON observation (actor_id, at);
                    CREATE TABLE evaluation_day (
                        day INTEGER PRIMARY KEY NOT NULL,
                        evaluated INTEGER NOT NULL
                    );
                    CREATE TABLE shadow_hit (
                        rule TEXT NOT NULL,
                        day INTEGER NOT NULL,
                        hits INTEGER NOT NULL,
                        PRIMARY KEY (rule, day)
                    );
                    """)
        }
        migrator.registerMigration("2026-11-27-cases-and-access") { db in
            try db.execute(
                sql: """
                    CREATE TABLE review_case (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        activity_id TEXT NOT NULL UNIQUE,
                        actor_id TEXT,
                        source TEXT NOT NULL,
                        action TEXT NOT NULL,
                        verdict TEXT NOT NULL,
                        state TEXT NOT NULL,
                        opened_at REAL NOT NULL,
                        duplicate_deliveries INTEGER NOT NULL DEFAULT 0,
                        body BLOB NOT NULL,
                        request TEXT,
                        request_body BLOB,
                        delivered_at REAL,
                        delivery_status INTEGER,
                        decided_at REAL
                    );
                    CREATE INDEX review_case_state ON review_case (state, id);
                    CREATE TABLE access_token (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        digest TEXT NOT NULL UNIQUE,
                        created_at REAL NOT NULL,
                        revoked_at REAL
                    );
                    CREATE TABLE account (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        username TEXT NOT NULL UNIQUE,
                        role TEXT NOT NULL,
                        password_hash TEXT NOT NULL,
                        created_at REAL NOT NULL
                    );
                    """)
        }
        // Nothing reads observations by actor, and keeping this index meant a random index-page write per
        // observation: a good part of every reputation batch's disk writes.
        migrator.registerMigration("2026-11-27-drop-observation-actor-index") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS observation_actor")
        }
        // Campaigns remember which fingerprint algorithm made them (`CampaignFingerprint.version`); the rows
        // before this column were all version 1.
        migrator.registerMigration("2026-11-28-campaign-fingerprint-version") { db in
            try db.execute(sql: "ALTER TABLE campaign ADD COLUMN fingerprint_version INTEGER NOT NULL DEFAULT 1")
        }
        // A case is about one delivery (activity id, verified signer, body), not about an activity id: a body
        // sent under someone else's id must not join their case, and approving a case must replay the request
        // that was held. `activity_id` loses its UNIQUE constraint, so the table is rebuilt. Cases from before
        // have no known signer (decisions on them are booked on nobody) and keep their id as their key.
        migrator.registerMigration("2026-12-07-case-per-delivery") { db in
            try db.execute(
                sql: """
                    CREATE TABLE review_case_new (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        activity_id TEXT NOT NULL,
                        actor_id TEXT,
                        signer TEXT,
                        delivery_key TEXT NOT NULL UNIQUE,
                        source TEXT NOT NULL,
                        action TEXT NOT NULL,
                        verdict TEXT NOT NULL,
                        state TEXT NOT NULL,
                        opened_at REAL NOT NULL,
                        duplicate_deliveries INTEGER NOT NULL DEFAULT 0,
                        body BLOB NOT NULL,
                        request TEXT,
                        request_body BLOB,
                        delivered_at REAL,
                        delivery_status INTEGER,
                        decided_at REAL,
                        decided_by TEXT
                    );
                    INSERT INTO review_case_new (
                        id, activity_id, actor_id, signer, delivery_key, source, action, verdict, state, opened_at,
                        duplicate_deliveries, body, request, request_body, delivered_at, delivery_status, decided_at)
                    SELECT id, activity_id, actor_id, NULL, 'legacy:' || activity_id, source, action, verdict, state,
                        opened_at, duplicate_deliveries, body, request, request_body, delivered_at, delivery_status, decided_at
                    FROM review_case;
                    DROP TABLE review_case;
                    ALTER TABLE review_case_new RENAME TO review_case;
                    CREATE INDEX review_case_state ON review_case (state, id);
                    CREATE INDEX review_case_activity ON review_case (activity_id, id);
                    """)
        }
        // People and access (issue 19): accounts can be disabled, and a token can act for an account.
        migrator.registerMigration("2026-12-07-accounts-disabled-and-bound-tokens") { db in
            try db.execute(
                sql: """
                    ALTER TABLE account ADD COLUMN disabled_at REAL;
                    ALTER TABLE access_token ADD COLUMN account_id INTEGER REFERENCES account (id);
                    CREATE INDEX access_token_account ON access_token (account_id);
                    """)
        }
        // Browser sessions of the workbench, by the SHA-256 of the cookie's value (never the value itself).
        migrator.registerMigration("2026-12-07-web-sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE web_session (
                        key TEXT PRIMARY KEY NOT NULL,
                        value BLOB NOT NULL,
                        expires_at REAL
                    );
                    CREATE INDEX web_session_expiry ON web_session (expires_at);
                    """)
        }
        // The case workflow (issue 19): states open, in_review, escalated, closed with an outcome; versions, leases
        // and priorities; an append-only audit log; notes; proposals; queues. Decided cases become closed with
        // their decision as outcome. Old cases get the priority formula's action and score parts (their campaign
        // size is not known) and the columns queue filters read, computed from their stored verdict.
        migrator.registerMigration("2026-12-07-case-workflow") { db in
            try db.execute(
                sql: """
                    ALTER TABLE review_case ADD COLUMN outcome TEXT;
                    ALTER TABLE review_case ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE review_case ADD COLUMN lease_holder TEXT;
                    ALTER TABLE review_case ADD COLUMN lease_holder_name TEXT;
                    ALTER TABLE review_case ADD COLUMN lease_expires_at REAL;
                    ALTER TABLE review_case ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE review_case ADD COLUMN actor_host TEXT;
                    ALTER TABLE review_case ADD COLUMN rules TEXT NOT NULL DEFAULT ' ';
                    ALTER TABLE review_case ADD COLUMN tags TEXT NOT NULL DEFAULT ' ';
                    ALTER TABLE review_case ADD COLUMN languages TEXT NOT NULL DEFAULT ' ';
                    UPDATE review_case SET outcome = state, state = 'closed' WHERE state IN ('approved', 'rejected');
                    UPDATE review_case SET
                        priority = 1000 * (action = 'hold')
                            + CAST(ROUND(10 * MIN(MAX(COALESCE(json_extract(verdict, '$.score'), 0), 0), 40)) AS INTEGER),
                        rules = COALESCE(
                            (SELECT ' ' || group_concat(json_extract(hit.value, '$.rule'), ' ') || ' '
                             FROM json_each(verdict, '$.hits') AS hit), ' '),
                        tags = COALESCE(
                            (SELECT ' ' || group_concat(tag.value, ' ') || ' '
                             FROM json_each(verdict, '$.hits') AS hit, json_each(hit.value, '$.tags') AS tag), ' '),
                        actor_host = (
                            SELECT lower(substr(rest, 1, instr(rest || '/', '/') - 1))
                            FROM (SELECT substr(subject, instr(subject, '://') + 3) AS rest
                                  FROM (SELECT COALESCE(signer, actor_id) AS subject)
                                  WHERE instr(subject, '://') > 0));
                    CREATE INDEX review_case_queue ON review_case (state, priority DESC, opened_at, id);
                    CREATE TABLE audit_entry (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at REAL NOT NULL,
                        actor TEXT NOT NULL,
                        account_id INTEGER,
                        via TEXT NOT NULL,
                        batch_id TEXT,
                        case_id INTEGER,
                        action TEXT NOT NULL,
                        from_state TEXT,
                        to_state TEXT,
                        reason TEXT,
                        note TEXT
                    );
                    CREATE INDEX audit_entry_case ON audit_entry (case_id, id);
                    CREATE TABLE case_note (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        subject_kind TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        at REAL NOT NULL,
                        author TEXT NOT NULL,
                        account_id INTEGER,
                        text TEXT NOT NULL
                    );
                    CREATE INDEX case_note_subject ON case_note (subject_kind, subject, id);
                    CREATE TABLE proposal (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        case_id INTEGER NOT NULL,
                        action TEXT NOT NULL,
                        target TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        note TEXT,
                        proposed_by TEXT NOT NULL,
                        proposed_at REAL NOT NULL,
                        state TEXT NOT NULL,
                        resolved_by TEXT,
                        resolved_at REAL
                    );
                    CREATE INDEX proposal_state ON proposal (state, id);
                    CREATE TABLE case_queue (
                        name TEXT PRIMARY KEY NOT NULL,
                        filter TEXT NOT NULL
                    );
                    CREATE TABLE queue_assignment (
                        account_id INTEGER NOT NULL,
                        queue TEXT NOT NULL,
                        PRIMARY KEY (account_id, queue)
                    );
                    """)
        }
        // Remote reports (`Flag`s) filed on the case about the flagged actor.
        migrator.registerMigration("2026-12-07-case-reports") { db in
            try db.execute(
                sql: """
                    ALTER TABLE review_case ADD COLUMN reports INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX review_case_subject ON review_case (COALESCE(signer, actor_id), state);
                    CREATE TABLE case_report (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        case_id INTEGER NOT NULL,
                        delivery_key TEXT NOT NULL UNIQUE,
                        activity_id TEXT NOT NULL,
                        reporter TEXT,
                        objects TEXT NOT NULL,
                        comment TEXT,
                        at REAL NOT NULL
                    );
                    CREATE INDEX case_report_case ON case_report (case_id, id);
                    """)
        }
        // Metrics: a service level per queue (nil: `review.slaMinutes`), and decisions found by action and time.
        migrator.registerMigration("2026-12-07-queue-sla") { db in
            try db.execute(
                sql: """
                    ALTER TABLE case_queue ADD COLUMN sla_minutes INTEGER;
                    CREATE INDEX audit_entry_action_at ON audit_entry (action, at);
                    """)
        }
        // Evidence retention: when a closed case's body and request were purged, and the closed cases still to purge.
        migrator.registerMigration("2026-12-07-evidence-retention") { db in
            try db.execute(
                sql: """
                    ALTER TABLE review_case ADD COLUMN evidence_purged_at REAL;
                    CREATE INDEX review_case_evidence ON review_case (decided_at)
                        WHERE state = 'closed' AND evidence_purged_at IS NULL;
                    """)
        }
        // A person's own choice of blurring media in the workbench (NULL: `web.blurMedia`).
        migrator.registerMigration("2026-12-07-account-blur-media") { db in
            try db.execute(sql: "ALTER TABLE account ADD COLUMN blur_media INTEGER")
        }
        // QA: blind second reviews of a sample of closed cases.
        migrator.registerMigration("2026-12-07-qa-review") { db in
            try db.execute(
                sql: """
                    CREATE TABLE qa_review (
                        case_id INTEGER PRIMARY KEY NOT NULL,
                        first_decider TEXT NOT NULL,
                        first_account_id INTEGER,
                        first_outcome TEXT NOT NULL,
                        sampled_at REAL NOT NULL,
                        lease_holder TEXT,
                        lease_holder_name TEXT,
                        lease_expires_at REAL,
                        reviewer TEXT,
                        outcome TEXT,
                        answered_at REAL
                    );
                    CREATE INDEX qa_review_open ON qa_review (case_id) WHERE outcome IS NULL;
                    """)
        }
        // The SHA-256 of a case's evidence as it arrived (`EvidenceDigest`); cases from before have none.
        migrator.registerMigration("2026-12-07-case-evidence-digest") { db in
            try db.execute(sql: "ALTER TABLE review_case ADD COLUMN evidence_sha256 TEXT")
        }
        // The sender's actor document as Herdwatch had it when the case opened, kept as evidence.
        migrator.registerMigration("2026-12-07-case-actor-document") { db in
            try db.execute(sql: "ALTER TABLE review_case ADD COLUMN actor_document BLOB")
        }
        // Applied domain blocks and what each subscription carried when last fetched (issue 20).
        migrator.registerMigration("2026-12-07-domain-blocks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE domain_block (
                        domain TEXT PRIMARY KEY NOT NULL,
                        severity TEXT NOT NULL,
                        reject_media INTEGER NOT NULL,
                        reject_reports INTEGER NOT NULL,
                        private_comment TEXT NOT NULL,
                        public_comment TEXT NOT NULL,
                        obfuscate INTEGER NOT NULL,
                        reasons TEXT NOT NULL,
                        evidence TEXT NOT NULL,
                        state TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        origin_kind TEXT,
                        origin_name TEXT,
                        origin_at REAL,
                        origin_note TEXT
                    );
                    CREATE TABLE subscription_block (
                        subscription_id TEXT NOT NULL,
                        domain TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        reject_media INTEGER NOT NULL,
                        reject_reports INTEGER NOT NULL,
                        private_comment TEXT NOT NULL,
                        public_comment TEXT NOT NULL,
                        obfuscate INTEGER NOT NULL,
                        reasons TEXT NOT NULL,
                        evidence TEXT NOT NULL,
                        state TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        origin_kind TEXT,
                        origin_name TEXT,
                        origin_at REAL,
                        origin_note TEXT,
                        PRIMARY KEY (subscription_id, domain)
                    );
                    """)
        }
        // Queues filter on action and domain: without these, `next` for a queue of flagged cases walked every held
        // case first (they all rank higher), reading each row to test the filter. Measured with 20,000 open cases
        // (herdwatch-bench queue's file): 13.4 ms a `next` before, 0.02 ms with the index.
        migrator.registerMigration("2026-12-07-queue-filter-indexes") { db in
            try db.execute(
                sql: """
                    CREATE INDEX review_case_queue_action ON review_case (state, action, priority DESC, opened_at, id);
                    CREATE INDEX review_case_queue_domain ON review_case (state, actor_host, priority DESC, opened_at, id);
                    """)
        }
        // Subscriptions to peers' lists: where, how to verify, how far to trust (issue 20).
        migrator.registerMigration("2026-12-08-blocklist-subscriptions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE blocklist_subscription (
                        id TEXT PRIMARY KEY NOT NULL,
                        url TEXT NOT NULL,
                        format TEXT,
                        token TEXT,
                        public_keys TEXT NOT NULL,
                        weight REAL NOT NULL,
                        severity_cap TEXT NOT NULL,
                        trusted_reasons TEXT,
                        priority INTEGER NOT NULL,
                        auto_apply TEXT NOT NULL,
                        enabled INTEGER NOT NULL,
                        fetch_interval REAL NOT NULL,
                        created_at REAL NOT NULL
                    );
                    """)
        }
        // Publishing and subscribing (issue 20): our Ed25519 signing keys, the snapshots we signed (a chain by
        // sequence), a change log of the applied list written by triggers (the JSON change feed reads it), and
        // what each subscription's last fetch left (conditional-request validators, last accepted snapshot).
        migrator.registerMigration("2026-12-08-blocklist-feeds") { db in
            let changeColumns = """
                domain, revision, kind, severity, reject_media, reject_reports, public_comment, obfuscate, reasons, \
                origin_kind, changed_at
                """
            func changeValues(_ row: String, kind: String) -> String {
                """
                \(row).domain, \(row).revision, \(kind), \(row).severity, \(row).reject_media, \(row).reject_reports, \
                \(row).public_comment, \(row).obfuscate, \(row).reasons, \(row).origin_kind, \
                (julianday('now') - 2440587.5) * 86400.0
                """
            }
            let kind = """
                CASE WHEN NEW.state = 'retracted' THEN 'retracted'
                     WHEN COALESCE((SELECT kind FROM domain_block_change WHERE domain = NEW.domain
                                    ORDER BY seq DESC LIMIT 1), 'retracted') = 'retracted' THEN 'added'
                     ELSE 'changed' END
                """
            try db.execute(
                sql: """
                    CREATE TABLE blocklist_signing_key (
                        id TEXT PRIMARY KEY NOT NULL,
                        private_key BLOB NOT NULL,
                        valid_from REAL NOT NULL,
                        valid_until REAL
                    );
                    CREATE TABLE blocklist_snapshot (
                        sequence INTEGER PRIMARY KEY NOT NULL,
                        sha256 TEXT NOT NULL,
                        envelope BLOB NOT NULL,
                        entries_sha256 TEXT NOT NULL,
                        key_ids TEXT NOT NULL,
                        issued_at REAL NOT NULL,
                        expires_at REAL NOT NULL
                    );
                    CREATE TABLE blocklist_fetch_state (
                        subscription_id TEXT PRIMARY KEY NOT NULL,
                        etag TEXT,
                        last_modified TEXT,
                        last_sequence INTEGER,
                        last_sha256 TEXT,
                        last_attempt REAL,
                        last_success REAL,
                        last_error TEXT,
                        entry_count INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE domain_block_change (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        domain TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        reject_media INTEGER NOT NULL,
                        reject_reports INTEGER NOT NULL,
                        public_comment TEXT NOT NULL,
                        obfuscate INTEGER NOT NULL,
                        reasons TEXT NOT NULL,
                        origin_kind TEXT,
                        changed_at REAL NOT NULL
                    );
                    CREATE INDEX domain_block_change_domain ON domain_block_change (domain, seq);
                    INSERT INTO domain_block_change (\(changeColumns))
                        SELECT \(changeValues("domain_block", kind: "CASE state WHEN 'retracted' THEN 'retracted' ELSE 'added' END"))
                        FROM domain_block ORDER BY domain;
                    CREATE TRIGGER domain_block_change_insert AFTER INSERT ON domain_block BEGIN
                        INSERT INTO domain_block_change (\(changeColumns)) VALUES (\(changeValues("NEW", kind: kind)));
                    END;
                    CREATE TRIGGER domain_block_change_update AFTER UPDATE ON domain_block BEGIN
                        INSERT INTO domain_block_change (\(changeColumns)) VALUES (\(changeValues("NEW", kind: kind)));
                    END;
                    """)
        }
        // Review of subscription drafts (issue 20): dismissed proposals, and each apply or undo as an audited batch
        // with every domain's entry before and after (JSON of `BlockRecord`).
        migrator.registerMigration("2026-12-08-blocklist-review") { db in
            try db.execute(
                sql: """
                    CREATE TABLE blocklist_dismissal (
                        domain TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        policy TEXT NOT NULL,
                        dismissed_by TEXT NOT NULL,
                        dismissed_at REAL NOT NULL,
                        PRIMARY KEY (domain, kind, policy)
                    );
                    CREATE TABLE blocklist_batch (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        actor TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        applied_at REAL NOT NULL,
                        undoes INTEGER REFERENCES blocklist_batch (id)
                    );
                    CREATE TABLE blocklist_batch_item (
                        batch_id INTEGER NOT NULL REFERENCES blocklist_batch (id),
                        position INTEGER NOT NULL,
                        domain TEXT NOT NULL,
                        kind TEXT,
                        before TEXT,
                        after TEXT NOT NULL,
                        PRIMARY KEY (batch_id, position)
                    );
                    """)
        }
        // A counter that moves whenever what the subscriptions carry changes, so that a server notices a
        // `herdwatch blocklist sync` run by another process (for `domain.peer_listed`).
        migrator.registerMigration("2026-12-07-subscription-entries-version") { db in
            try db.execute(
                sql: """
                    CREATE TABLE blocklist_subscription_version (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        value INTEGER NOT NULL
                    );
                    INSERT INTO blocklist_subscription_version (id, value) VALUES (1, 0);
                    """)
        }
        // The local follow graph (issue 21): one row per edge between a local user and a remote actor, both keyed
        // as `FollowAccount` names them.
        migrator.registerMigration("2026-12-07-follow-graph") { db in
            try db.execute(
                sql: """
                    CREATE TABLE follow_edge (
                        local TEXT NOT NULL,
                        remote TEXT NOT NULL,
                        direction TEXT NOT NULL,
                        remote_host TEXT NOT NULL,
                        since REAL NOT NULL,
                        PRIMARY KEY (local, remote, direction)
                    ) WITHOUT ROWID;
                    CREATE INDEX follow_edge_since ON follow_edge (since);
                    """)
        }
        // Reputation at scale (issue 22). Actors and counters are keyed by text and read and written by key only: as
        // WITHOUT ROWID tables, each upsert or lookup walks one B-tree instead of the table and its key index, and
        // the key is stored once. Open campaigns are read by `last_seen` and their bands by campaign: without
        // these indexes each reload of the open campaigns scanned both tables whole.
        migrator.registerMigration("2026-12-08-reputation-compact") { db in
            try db.execute(
                sql: """
                    CREATE TABLE actor_compact (
                        id TEXT PRIMARY KEY NOT NULL,
                        host TEXT NOT NULL,
                        first_seen REAL,
                        last_seen REAL NOT NULL,
                        published REAL,
                        activities_seen INTEGER NOT NULL,
                        accepted INTEGER NOT NULL,
                        flagged INTEGER NOT NULL,
                        held INTEGER NOT NULL,
                        rejected INTEGER NOT NULL,
                        spam REAL NOT NULL,
                        spam_at REAL NOT NULL,
                        ham REAL NOT NULL,
                        ham_at REAL NOT NULL
                    ) WITHOUT ROWID;
                    INSERT INTO actor_compact SELECT id, host, first_seen, last_seen, published, activities_seen,
                        accepted, flagged, held, rejected, spam, spam_at, ham, ham_at FROM actor;
                    DROP TABLE actor;
                    ALTER TABLE actor_compact RENAME TO actor;
                    CREATE TABLE counter_compact (
                        key TEXT PRIMARY KEY NOT NULL,
                        buckets BLOB NOT NULL
                    ) WITHOUT ROWID;
                    INSERT INTO counter_compact SELECT key, buckets FROM counter;
                    DROP TABLE counter;
                    ALTER TABLE counter_compact RENAME TO counter;
                    CREATE INDEX campaign_last_seen ON campaign (last_seen);
                    CREATE INDEX campaign_band_campaign ON campaign_band (campaign);
                    """)
        }
        return migrator
    }()
}
