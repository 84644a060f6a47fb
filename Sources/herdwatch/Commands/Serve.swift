import Access
import ArgumentParser
import Blocklists
import Configuration
import Foundation
import HerdwatchServer
import Logging
import Metrics
import Prometheus
import Reputation
import RuleEngine
import Storage
import SystemPackage

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the check hook and the inbox firewall.",
        discussion: """
            With no options: listens on 127.0.0.1:8080, uses the database at its default path and the rules in
            ./Rules, and answers POST /api/v1/check. With --upstream it also sits in front of the instance:
            inbox POSTs are evaluated (accepted and flagged ones forwarded, held ones kept for review, rejected
            ones dropped), everything else passes through untouched.
            Every option is also a configuration key, read in this order: flags, environment variables
            (HERDWATCH_HTTP_PORT for http.port, …), the config file, defaults. docs/configuration.md lists every key.
            On first start an admin account and token are created and printed once.
            Examples:
              herdwatch serve --demo
              herdwatch serve --upstream http://127.0.0.1:3000 --port 8081
              HERDWATCH_SIGNATURES_MODE=evaluate herdwatch serve --config /etc/herdwatch.yaml
            """)

    @Option(help: "Address to listen on (http.host; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on, 0 for any free port (http.port; default 8080).")
    var port: Int?

    @Option(help: ArgumentHelp("SQLite database file (database.path).", valueName: "path"))
    var db: String?

    @Option(
        help: ArgumentHelp(
            "PostgreSQL database shared by several nodes, postgres://USER[:PASSWORD]@HOST[:PORT]/DB (database.url; $HERDWATCH_DATABASE_URL).",
            valueName: "url"))
    var database: String?

    @Option(help: ArgumentHelp("Directory of rule files (rules.directory; default Rules).", valueName: "dir"))
    var rules: String?

    @Option(help: ArgumentHelp("The instance to protect, e.g. http://127.0.0.1:3000 (proxy.upstream).", valueName: "url"))
    var upstream: String?

    @Option(help: ArgumentHelp("YAML config file (default: $HERDWATCH_CONFIG, else ./herdwatch.yaml if present).", valueName: "path"))
    var config: String?

    @Option(
        name: .customLong("local-domain"),
        help: ArgumentHelp("A host of this instance, as its actor ids carry it; repeatable (instance.domains).", valueName: "host"))
    var localDomains: [String] = []

    @Flag(help: "Evaluate Fixtures/demo.ndjson at start so the review queue has cases (demo).")
    var demo = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        if db != nil, database != nil {
            throw ValidationError("give --db FILE (SQLite) or --database URL (PostgreSQL), not both")
        }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level \(logLevel) is not a level; use trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        var arguments: [AbsoluteConfigKey: ConfigValue] = [:]
        if let host { arguments["http.host"] = .init(.string(host), isSecret: false) }
        if let port { arguments["http.port"] = .init(.int(port), isSecret: false) }
        if let db {
            arguments["database.path"] = .init(.string(db), isSecret: false)
            // An explicit file wins over a URL in the environment or the config file.
            arguments["database.url"] = .init(.string(""), isSecret: false)
        }
        if let database { arguments["database.url"] = .init(.string(database), isSecret: true) }
        if let rules { arguments["rules.directory"] = .init(.string(rules), isSecret: false) }
        if let upstream { arguments["proxy.upstream"] = .init(.string(upstream), isSecret: false) }
        if !localDomains.isEmpty { arguments["instance.domains"] = .init(.stringArray(localDomains), isSecret: false) }
        if demo { arguments["demo"] = .init(.bool(true), isSecret: false) }
        let environment = ProcessInfo.processInfo.environment
        let explicitFile = config ?? environment["HERDWATCH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let file = explicitFile ?? "herdwatch.yaml"
        let fileProvider: FileProvider<YAMLSnapshot>
        do {
            fileProvider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(file), allowMissing: explicitFile == nil)
        } catch {
            throw fail("config file \(file): \(error)")
        }
        var defaults: [AbsoluteConfigKey: ConfigValue] = [:]
        if let rulesFromEnvironment = environment["HERDWATCH_RULES"], !rulesFromEnvironment.isEmpty {
            defaults["rules.directory"] = .init(.string(rulesFromEnvironment), isSecret: false)
        }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: arguments),
            EnvironmentVariablesProvider().prefixKeys(with: "herdwatch"),
            fileProvider,
            InMemoryProvider(name: "defaults", values: defaults),
        ])
        let settings: ServerConfiguration
        do {
            settings = try ServerConfiguration(reader: reader)
        } catch {
            throw fail(error.description)
        }

        LoggingSystem.bootstrap { label in HerdwatchLogHandler(label: label) }
        var logger = Logger(label: "herdwatch")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        if settings.demo, !FileManager.default.isReadableFile(atPath: settings.demoFile) {
            throw fail(
                "demo: cannot read \(settings.demoFile); run from the repository folder, or set demo.file (HERDWATCH_DEMO_FILE) to an NDJSON stream")
        }
        let stores =
            if let url = settings.databaseURL {
                try await ServeStores.postgres(url: url)
            } else {
                try ServeStores.sqlite(path: settings.databasePath, busyTimeout: settings.databaseBusyTimeout)
            }
        let engine = RuleEngine(ruleSet: try loadRules(settings.rulesDirectory))
        let access = AccessControl(store: stores.access)
        do {
            if let admin = try await access.bootstrapAdmin() {
                say(
                    """
                    First start: created the admin account. This is shown once; keep it safe.
                      username: \(admin.account.username)
                      password: \(admin.password)
                      API token (admin scope): \(admin.tokenSecret)
                    Try the hook:
                      curl -H 'Authorization: Bearer \(admin.tokenSecret)' --data-binary @Fixtures/activities/spam_nicole_dm.json http://\(settings.host):\(settings.port == 0 ? "PORT" : String(settings.port))/api/v1/check
                    Tokens for other servers: herdwatch token create --scope check \(stores.option)
                    Review the queue in a browser: http://\(settings.host):\(settings.port == 0 ? "PORT" : String(settings.port))/herdwatch/ (sign in as \(admin.account.username));
                      accounts for moderators: herdwatch user add NAME --role moderator \(stores.option)

                    """)
            }
        } catch {
            throw fail("cannot create the first admin account: \(error)")
        }
        // Our own domain and the configured excludes are never blocked, whatever a list says.
        let blocklist = AppliedBlocklist(
            store: stores.blocks, policy: settings.blocklistReview.plan.policy, subscribed: stores.subscribed)
        do {
            try await blocklist.refresh()
        } catch {
            throw fail("cannot read the domain blocks: \(error)")
        }
        var follows: LocalFollows?
        if settings.instanceDomains.isEmpty {
            logger.notice(
                "instance.domains is not set: the follow-graph signals (actor.followed_by_local, mentions.local, …) are 0 and no follows are learned")
        } else {
            do {
                let graph = try LocalFollows(store: stores.follows, localDomains: settings.instanceDomains)
                if graph.loadedEdges < graph.storedEdges {
                    logger.warning(
                        "the follow graph is larger than memory holds; only the newest edges are used",
                        metadata: ["follows.stored": "\(graph.storedEdges)", "follows.loaded": "\(graph.loadedEdges)"])
                }
                follows = graph
            } catch {
                throw fail("cannot read the follow graph: \(error)")
            }
        }
        let client = ServerComponents.makeHTTPClient()
        let components = ServerComponents(
            configuration: settings, engines: RuleEngineHolder(engine),
            reputation: settings.reputationEnabled
                ? Reputation(
                    store: stores.reputation,
                    configuration: Reputation.Configuration(
                        observationRetention: settings.observationRetention, recording: settings.recording,
                        recordLimit: settings.recordLimit, cacheBytes: settings.reputationCacheBytes,
                        actorRetention: settings.actorRetention))
                : nil,
            cases: stores.cases, access: access, httpClient: client, ownsHTTPClient: true,
            metrics: ServerMetrics(registry: registry), logger: logger, sessions: stores.sessions,
            blocklist: blocklist, blocklistVersion: stores.blocklistVersion, checkpoints: stores.checkpoints,
            follows: follows, roles: stores.roles, signals: stores.signals,
            deliveries: settings.shareDeliveryVerdicts ? stores.deliveries : nil)
        let app = HerdwatchApplication.make(components) { port in
            var line = "herdwatch: listening on http://\(settings.host):\(port) (workbench at /herdwatch/, rules \(settings.rulesDirectory), database \(stores.label)"
            if let upstream = settings.upstream { line += ", inbox firewall for \(upstream.absoluteString)" }
            say(line + ")\n")
        }
        try await HerdwatchApplication.run(app, shutdownTimeout: settings.shutdownTimeout, logger: logger)
    }
}

/// Writes to standard output at once (not buffered), so a supervisor reading the pipe sees it in order.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
