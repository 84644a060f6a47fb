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
        return migrator
    }()
}
