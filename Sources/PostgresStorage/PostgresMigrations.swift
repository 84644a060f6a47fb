import Logging
import PostgresNIO

/// The PostgreSQL schema, as named migrations applied in order and recorded in `herdwatch_migration`. Never edit
/// one that shipped: append a new one.
enum PostgresMigrations {
    struct Migration: Sendable {
        var name: String
        var statements: [String]
    }

    static let all: [Migration] = [
        Migration(
            name: "2026-12-07-sessions",
            statements: [
                """
                CREATE TABLE web_session (
                    key TEXT PRIMARY KEY,
                    value BYTEA NOT NULL,
                    expires_at DOUBLE PRECISION
                )
                """,
                "CREATE INDEX web_session_expiry ON web_session (expires_at) WHERE expires_at IS NOT NULL",
            ]),
        Migration(
            name: "2026-12-07-access",
            statements: [
                """
                CREATE TABLE account (
                    id BIGSERIAL PRIMARY KEY,
                    username TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    disabled_at DOUBLE PRECISION,
                    blur_media BOOLEAN
                )
                """,
                """
                CREATE TABLE access_token (
                    id BIGSERIAL PRIMARY KEY,
                    name TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    digest TEXT NOT NULL UNIQUE,
                    created_at DOUBLE PRECISION NOT NULL,
                    revoked_at DOUBLE PRECISION,
                    account_id BIGINT REFERENCES account (id)
                )
                """,
            ]),
        // The review queue (issue 19's workflow on a shared database): cases (one per delivery), their reports,
        // the append-only audit log, notes, proposals, queues and who may work them, and the QA sample. Verdicts
        // and request heads are JSON text as the SQLite store keeps them; `rules`, `tags` and `languages` are
        // words between spaces for queue filters.
        Migration(
            name: "2026-12-08-cases",
            statements: [
                """
                CREATE TABLE review_case (
                    id BIGSERIAL PRIMARY KEY,
                    activity_id TEXT NOT NULL,
                    actor_id TEXT,
                    signer TEXT,
                    delivery_key TEXT NOT NULL UNIQUE,
                    source TEXT NOT NULL,
                    action TEXT NOT NULL,
                    verdict TEXT NOT NULL,
                    state TEXT NOT NULL,
                    outcome TEXT,
                    version INTEGER NOT NULL DEFAULT 1,
                    lease_holder TEXT,
                    lease_holder_name TEXT,
                    lease_expires_at DOUBLE PRECISION,
                    priority INTEGER NOT NULL,
                    opened_at DOUBLE PRECISION NOT NULL,
                    duplicate_deliveries INTEGER NOT NULL DEFAULT 0,
                    reports INTEGER NOT NULL DEFAULT 0,
                    body BYTEA NOT NULL,
                    request TEXT,
                    request_body BYTEA,
                    delivered_at DOUBLE PRECISION,
                    delivery_status INTEGER,
                    decided_at DOUBLE PRECISION,
                    decided_by TEXT,
                    actor_host TEXT,
                    rules TEXT NOT NULL DEFAULT ' ',
                    tags TEXT NOT NULL DEFAULT ' ',
                    languages TEXT NOT NULL DEFAULT ' ',
                    evidence_sha256 TEXT,
                    actor_document BYTEA,
                    evidence_purged_at DOUBLE PRECISION
                )
                """,
                "CREATE INDEX review_case_activity ON review_case (activity_id, id)",
                "CREATE INDEX review_case_queue ON review_case (state, priority DESC, opened_at, id)",
                "CREATE INDEX review_case_queue_action ON review_case (state, action, priority DESC, opened_at, id)",
                "CREATE INDEX review_case_queue_domain ON review_case (state, actor_host, priority DESC, opened_at, id)",
                "CREATE INDEX review_case_subject ON review_case ((COALESCE(signer, actor_id)), state)",
                """
                CREATE INDEX review_case_evidence ON review_case (decided_at)
                    WHERE state = 'closed' AND evidence_purged_at IS NULL
                """,
                """
                CREATE TABLE case_report (
                    id BIGSERIAL PRIMARY KEY,
                    case_id BIGINT NOT NULL REFERENCES review_case (id),
                    delivery_key TEXT NOT NULL UNIQUE,
                    activity_id TEXT NOT NULL,
                    reporter TEXT,
                    objects TEXT NOT NULL,
                    comment TEXT,
                    at DOUBLE PRECISION NOT NULL
                )
                """,
                "CREATE INDEX case_report_case ON case_report (case_id, id)",
                """
                CREATE TABLE audit_entry (
                    id BIGSERIAL PRIMARY KEY,
                    at DOUBLE PRECISION NOT NULL,
                    actor TEXT NOT NULL,
                    account_id BIGINT,
                    via TEXT NOT NULL,
                    batch_id TEXT,
                    case_id BIGINT,
                    action TEXT NOT NULL,
                    from_state TEXT,
                    to_state TEXT,
                    reason TEXT,
                    note TEXT
                )
                """,
                "CREATE INDEX audit_entry_case ON audit_entry (case_id, id)",
                "CREATE INDEX audit_entry_action_at ON audit_entry (action, at)",
                // Append-only for every client of the database, not only for Herdwatch's own code.
                """
                CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'the audit log is append-only: entries cannot be changed or removed';
                END
                $$
                """,
                """
                CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
                    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
                """,
                """
                CREATE TABLE case_note (
                    id BIGSERIAL PRIMARY KEY,
                    subject_kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    at DOUBLE PRECISION NOT NULL,
                    author TEXT NOT NULL,
                    account_id BIGINT,
                    text TEXT NOT NULL
                )
                """,
                "CREATE INDEX case_note_subject ON case_note (subject_kind, subject, id)",
                """
                CREATE TABLE proposal (
                    id BIGSERIAL PRIMARY KEY,
                    case_id BIGINT NOT NULL REFERENCES review_case (id),
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    note TEXT,
                    proposed_by TEXT NOT NULL,
                    proposed_at DOUBLE PRECISION NOT NULL,
                    state TEXT NOT NULL,
                    resolved_by TEXT,
                    resolved_at DOUBLE PRECISION
                )
                """,
                "CREATE INDEX proposal_state ON proposal (state, id)",
                """
                CREATE TABLE case_queue (
                    name TEXT PRIMARY KEY,
                    filter TEXT NOT NULL,
                    sla_minutes INTEGER
                )
                """,
                """
                CREATE TABLE queue_assignment (
                    account_id BIGINT NOT NULL,
                    queue TEXT NOT NULL,
                    PRIMARY KEY (account_id, queue)
                )
                """,
                """
                CREATE TABLE qa_review (
                    case_id BIGINT PRIMARY KEY REFERENCES review_case (id),
                    first_decider TEXT NOT NULL,
                    first_account_id BIGINT,
                    first_outcome TEXT NOT NULL,
                    sampled_at DOUBLE PRECISION NOT NULL,
                    lease_holder TEXT,
                    lease_holder_name TEXT,
                    lease_expires_at DOUBLE PRECISION,
                    reviewer TEXT,
                    outcome TEXT,
                    answered_at DOUBLE PRECISION
                )
                """,
                "CREATE INDEX qa_review_open ON qa_review (case_id) WHERE outcome IS NULL",
            ]),
        // Blocklists (issue 20's tables on a shared database): the applied list, what each subscription carried when
        // last fetched, the subscriptions, and `blocklist_version`, a counter every blocklist write moves first: the
        // row lock it takes makes the writes of all nodes one after another (so revisions never collide), and a
        // node polls its value to notice what another node changed.
        Migration(
            name: "2026-12-08-blocklists",
            statements: [
                """
                CREATE TABLE domain_block (
                    domain TEXT PRIMARY KEY,
                    severity TEXT NOT NULL,
                    reject_media BOOLEAN NOT NULL,
                    reject_reports BOOLEAN NOT NULL,
                    private_comment TEXT NOT NULL,
                    public_comment TEXT NOT NULL,
                    obfuscate BOOLEAN NOT NULL,
                    reasons TEXT NOT NULL,
                    evidence TEXT NOT NULL,
                    state TEXT NOT NULL,
                    revision BIGINT NOT NULL,
                    origin_kind TEXT,
                    origin_name TEXT,
                    origin_at DOUBLE PRECISION,
                    origin_note TEXT
                )
                """,
                """
                CREATE TABLE subscription_block (
                    subscription_id TEXT NOT NULL,
                    domain TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    reject_media BOOLEAN NOT NULL,
                    reject_reports BOOLEAN NOT NULL,
                    private_comment TEXT NOT NULL,
                    public_comment TEXT NOT NULL,
                    obfuscate BOOLEAN NOT NULL,
                    reasons TEXT NOT NULL,
                    evidence TEXT NOT NULL,
                    state TEXT NOT NULL,
                    revision BIGINT NOT NULL,
                    origin_kind TEXT,
                    origin_name TEXT,
                    origin_at DOUBLE PRECISION,
                    origin_note TEXT,
                    PRIMARY KEY (subscription_id, domain)
                )
                """,
                """
                CREATE TABLE blocklist_subscription (
                    id TEXT PRIMARY KEY,
                    url TEXT NOT NULL,
                    format TEXT,
                    token TEXT,
                    public_keys TEXT NOT NULL,
                    weight DOUBLE PRECISION NOT NULL,
                    severity_cap TEXT NOT NULL,
                    trusted_reasons TEXT,
                    priority BIGINT NOT NULL,
                    auto_apply TEXT NOT NULL,
                    enabled BOOLEAN NOT NULL,
                    fetch_interval DOUBLE PRECISION NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL
                )
                """,
                """
                CREATE TABLE blocklist_version (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    value BIGINT NOT NULL
                )
                """,
                "INSERT INTO blocklist_version (id, value) VALUES (1, 0)",
            ]),
        // Review of subscription drafts: dismissed proposals, and each apply or undo as an audited batch with every
        // domain's entry before and after (JSON of `BlockRecord`, as on SQLite).
        Migration(
            name: "2026-12-08-blocklist-review",
            statements: [
                """
                CREATE TABLE blocklist_dismissal (
                    domain TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    dismissed_by TEXT NOT NULL,
                    dismissed_at DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (domain, kind, policy)
                )
                """,
                """
                CREATE TABLE blocklist_batch (
                    id BIGSERIAL PRIMARY KEY,
                    actor TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    applied_at DOUBLE PRECISION NOT NULL,
                    undoes BIGINT REFERENCES blocklist_batch (id)
                )
                """,
                """
                CREATE TABLE blocklist_batch_item (
                    batch_id BIGINT NOT NULL REFERENCES blocklist_batch (id),
                    position INTEGER NOT NULL,
                    domain TEXT NOT NULL,
                    kind TEXT,
                    before TEXT,
                    after TEXT NOT NULL,
                    PRIMARY KEY (batch_id, position)
                )
                """,
            ]),
        // Publishing and subscribing: our Ed25519 signing keys, the snapshots we signed (a chain by sequence), what
        // each subscription's last fetch left, and the change log of the applied list the JSON change feed reads.
        // A trigger writes the log; its `seq` is drawn from `blocklist_version` under that row's lock, so sequence
        // numbers are given out in commit order and a reader following the log never skips a change that commits
        // late (a SERIAL would: numbers are taken before the commit).
        Migration(
            name: "2026-12-08-blocklist-feeds",
            statements: [
                """
                CREATE TABLE blocklist_signing_key (
                    id TEXT PRIMARY KEY,
                    private_key BYTEA NOT NULL,
                    valid_from DOUBLE PRECISION NOT NULL,
                    valid_until DOUBLE PRECISION
                )
                """,
                """
                CREATE TABLE blocklist_snapshot (
                    sequence BIGINT PRIMARY KEY,
                    sha256 TEXT NOT NULL,
                    envelope BYTEA NOT NULL,
                    entries_sha256 TEXT NOT NULL,
                    key_ids TEXT NOT NULL,
                    issued_at DOUBLE PRECISION NOT NULL,
                    expires_at DOUBLE PRECISION NOT NULL
                )
                """,
                """
                CREATE TABLE blocklist_fetch_state (
                    subscription_id TEXT PRIMARY KEY,
                    etag TEXT,
                    last_modified TEXT,
                    last_sequence BIGINT,
                    last_sha256 TEXT,
                    last_attempt DOUBLE PRECISION,
                    last_success DOUBLE PRECISION,
                    last_error TEXT,
                    entry_count BIGINT NOT NULL DEFAULT 0
                )
                """,
                """
                CREATE TABLE domain_block_change (
                    seq BIGINT PRIMARY KEY,
                    domain TEXT NOT NULL,
                    revision BIGINT NOT NULL,
                    kind TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    reject_media BOOLEAN NOT NULL,
                    reject_reports BOOLEAN NOT NULL,
                    public_comment TEXT NOT NULL,
                    obfuscate BOOLEAN NOT NULL,
                    reasons TEXT NOT NULL,
                    origin_kind TEXT,
                    changed_at DOUBLE PRECISION NOT NULL
                )
                """,
                "CREATE INDEX domain_block_change_domain ON domain_block_change (domain, seq)",
                """
                INSERT INTO domain_block_change (seq, domain, revision, kind, severity, reject_media, reject_reports,
                    public_comment, obfuscate, reasons, origin_kind, changed_at)
                SELECT version.value + ROW_NUMBER() OVER (ORDER BY block.domain COLLATE "C"), block.domain,
                    block.revision, CASE block.state WHEN 'retracted' THEN 'retracted' ELSE 'added' END, block.severity,
                    block.reject_media, block.reject_reports, block.public_comment, block.obfuscate, block.reasons,
                    block.origin_kind, EXTRACT(EPOCH FROM clock_timestamp())
                FROM domain_block AS block, blocklist_version AS version
                """,
                "UPDATE blocklist_version SET value = value + (SELECT COUNT(*) FROM domain_block)",
                """
                CREATE FUNCTION domain_block_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    next_seq BIGINT;
                    last_kind TEXT;
                BEGIN
                    UPDATE blocklist_version SET value = value + 1 WHERE id = 1 RETURNING value INTO next_seq;
                    SELECT kind INTO last_kind FROM domain_block_change WHERE domain = NEW.domain
                        ORDER BY seq DESC LIMIT 1;
                    INSERT INTO domain_block_change (seq, domain, revision, kind, severity, reject_media,
                        reject_reports, public_comment, obfuscate, reasons, origin_kind, changed_at)
                    VALUES (next_seq, NEW.domain, NEW.revision,
                        CASE WHEN NEW.state = 'retracted' THEN 'retracted'
                             WHEN COALESCE(last_kind, 'retracted') = 'retracted' THEN 'added'
                             ELSE 'changed' END,
                        NEW.severity, NEW.reject_media, NEW.reject_reports, NEW.public_comment, NEW.obfuscate,
                        NEW.reasons, NEW.origin_kind, EXTRACT(EPOCH FROM clock_timestamp()));
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER domain_block_change AFTER INSERT OR UPDATE ON domain_block
                    FOR EACH ROW EXECUTE FUNCTION domain_block_changed()
                """,
            ]),
        // The local follow graph (issue 21), as the SQLite store keeps it: one row per edge, `since` in seconds.
        Migration(
            name: "2026-12-08-follow-graph",
            statements: [
                """
                CREATE TABLE follow_edge (
                    local TEXT NOT NULL,
                    remote TEXT NOT NULL,
                    direction TEXT NOT NULL,
                    remote_host TEXT NOT NULL,
                    since DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (local, remote, direction)
                )
                """,
                "CREATE INDEX follow_edge_since ON follow_edge (since)",
            ]),
        // Reputation, as the SQLite store keeps it (dates in seconds, counters and signatures in the same binary
        // forms, 64-bit bands by bit pattern), without the observation index SQLite dropped: nothing reads by actor.
        Migration(
            name: "2026-12-08-reputation",
            statements: [
                """
                CREATE TABLE actor (
                    id TEXT PRIMARY KEY,
                    host TEXT NOT NULL,
                    first_seen DOUBLE PRECISION,
                    last_seen DOUBLE PRECISION NOT NULL,
                    published DOUBLE PRECISION,
                    activities_seen BIGINT NOT NULL,
                    accepted BIGINT NOT NULL,
                    flagged BIGINT NOT NULL,
                    held BIGINT NOT NULL,
                    rejected BIGINT NOT NULL,
                    spam DOUBLE PRECISION NOT NULL,
                    spam_at DOUBLE PRECISION NOT NULL,
                    ham DOUBLE PRECISION NOT NULL,
                    ham_at DOUBLE PRECISION NOT NULL
                )
                """,
                """
                CREATE TABLE domain (
                    host TEXT PRIMARY KEY,
                    first_seen DOUBLE PRECISION,
                    last_seen DOUBLE PRECISION NOT NULL,
                    actors_seen BIGINT NOT NULL,
                    activities_seen BIGINT NOT NULL,
                    held_or_rejected BIGINT NOT NULL,
                    spam DOUBLE PRECISION NOT NULL,
                    spam_at DOUBLE PRECISION NOT NULL,
                    ham DOUBLE PRECISION NOT NULL,
                    ham_at DOUBLE PRECISION NOT NULL,
                    peer_listed BOOLEAN NOT NULL DEFAULT FALSE
                )
                """,
                "CREATE TABLE counter (key TEXT PRIMARY KEY, buckets BYTEA NOT NULL)",
                """
                CREATE TABLE campaign (
                    id BIGINT PRIMARY KEY,
                    first_seen DOUBLE PRECISION NOT NULL,
                    last_seen DOUBLE PRECISION NOT NULL,
                    size BIGINT NOT NULL,
                    actors TEXT NOT NULL,
                    domains TEXT NOT NULL,
                    signature BYTEA NOT NULL,
                    fingerprint_version INTEGER NOT NULL
                )
                """,
                "CREATE INDEX campaign_last_seen ON campaign (last_seen)",
                "CREATE TABLE campaign_band (band BIGINT PRIMARY KEY, campaign BIGINT NOT NULL)",
                "CREATE INDEX campaign_band_campaign ON campaign_band (campaign)",
                """
                CREATE TABLE label (
                    scope TEXT NOT NULL,
                    key TEXT NOT NULL,
                    label TEXT NOT NULL,
                    expires_at DOUBLE PRECISION,
                    PRIMARY KEY (scope, key, label)
                )
                """,
                """
                CREATE TABLE observation (
                    id BIGSERIAL PRIMARY KEY,
                    at DOUBLE PRECISION NOT NULL,
                    activity_id TEXT,
                    activity_type TEXT NOT NULL,
                    actor_id TEXT NOT NULL,
                    actor_host TEXT NOT NULL,
                    action TEXT NOT NULL,
                    score DOUBLE PRECISION NOT NULL,
                    rules TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    body BYTEA
                )
                """,
                "CREATE TABLE evaluation_day (day INTEGER PRIMARY KEY, evaluated BIGINT NOT NULL)",
                """
                CREATE TABLE shadow_hit (
                    rule TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    hits BIGINT NOT NULL,
                    PRIMARY KEY (rule, day)
                )
                """,
            ]),
        // Other nodes hear of blocklist changes at once (LISTEN/NOTIFY on the channel `herdwatch`): every change moves
        // `blocklist_version`, and the notice goes out when its transaction commits. Polling the version stays as
        // the fallback for a node whose listening connection was down.
        Migration(
            name: "2026-12-08-blocklist-notify",
            statements: [
                """
                CREATE FUNCTION blocklist_version_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('herdwatch', current_schema() || ':blocklist:');
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER blocklist_version_notify AFTER UPDATE ON blocklist_version
                    FOR EACH STATEMENT EXECUTE FUNCTION blocklist_version_notify()
                """,
            ]),
        // The verdicts of every node's deliveries, by the delivery's SHA-256 (`DeliveryKey`): a retry reaching
        // another node gets the first verdict and is not counted twice. Kept `database.deliveryRetentionHours`.
        // Unlogged: a row is written for every delivery, and a commit that wrote only unlogged rows does not wait
        // for the log to reach the disk (logged, the inserts' syncs cut the hook's throughput by three quarters).
        // A crash of PostgreSQL empties the table, which costs only the recognition of retries already in flight.
        Migration(
            name: "2026-12-09-delivery-verdict",
            statements: [
                """
                CREATE UNLOGGED TABLE delivery_verdict (
                    key BYTEA PRIMARY KEY,
                    verdict TEXT NOT NULL,
                    seen_at DOUBLE PRECISION NOT NULL
                )
                """,
                "CREATE INDEX delivery_verdict_seen_at ON delivery_verdict (seen_at)",
            ]),
    ]
}

extension PostgreSQLDatabase {
    /// Applies the migrations this database lacks, in one transaction under an advisory lock, so that nodes
    /// starting together apply each exactly once. A database with migrations this version does not know is
    /// refused, not altered.
    public func migrate() async throws(PostgresStoreError) {
        let schema = schema
        do {
            try await client.withTransaction(logger: logger) { connection in
                // One lock per schema: nodes migrating the same schema take turns, and a deployment migrating another
                // schema of the same server never waits for this one (nor makes it wait).
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(hashtext('herdwatch migrations'), hashtext(\(schema)))", logger: logger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger)
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            CREATE TABLE IF NOT EXISTS "\(schema)".herdwatch_migration (
                                name TEXT PRIMARY KEY,
                                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                            )
                            """), logger: logger)
                var applied = Set<String>()
                for try await name in try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT name FROM \"\(schema)\".herdwatch_migration"), logger: logger
                ).decode(String.self) {
                    applied.insert(name)
                }
                let known = Set(PostgresMigrations.all.map(\.name))
                if let unknown = applied.subtracting(known).sorted().first {
                    throw PostgresStoreError(
                        code: .migration,
                        message:
                            "this database was written by a newer Herdwatch (it has migration \(unknown)); upgrade herdwatch or use another database")
                }
                for migration in PostgresMigrations.all where !applied.contains(migration.name) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO herdwatch_migration (name) VALUES (\(migration.name))", logger: logger)
                }
            }
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            throw Self.storeError(error, doing: "migrate")
        }
    }

    /// Migrations applied to the database, oldest first.
    public func appliedMigrations() async throws(PostgresStoreError) -> [String] {
        do {
            var names: [String] = []
            for try await name in try await client.query(
                "SELECT name FROM herdwatch_migration ORDER BY applied_at, name", logger: logger
            ).decode(String.self) {
                names.append(name)
            }
            return names
        } catch {
            throw Self.storeError(error, doing: "read the migrations of")
        }
    }

    /// A store error for `error`, with the server's own message when it sent one (never the password).
    static func storeError(_ error: any Error, doing action: String) -> PostgresStoreError {
        if let error = error as? PostgresStoreError { return error }
        if let error = error as? PostgresTransactionError,
            let cause = error.closureError ?? error.beginError ?? error.commitError
        {
            return storeError(cause, doing: action)
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return PostgresStoreError(code: .failed, message: "cannot \(action) the database: \(message)")
            }
            switch error.code {
            case .connectionError, .uncleanShutdown, .serverClosedConnection, .clientClosedConnection:
                return PostgresStoreError(
                    code: .cannotConnect,
                    message: "cannot \(action) the database: cannot connect (is PostgreSQL running and reachable, and the URL right?)")
            default:
                return PostgresStoreError(code: .failed, message: "cannot \(action) the database: \(error.code)")
            }
        }
        return PostgresStoreError(code: .failed, message: "cannot \(action) the database: \(error)")
    }
}
