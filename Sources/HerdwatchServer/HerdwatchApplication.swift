public import Access
public import AsyncHTTPClient
public import Blocklists
import Foundation
public import Hummingbird
public import Intake
public import Logging
public import Reputation
public import ReviewQueue
public import RuleEngine
import ServiceLifecycle
import NIOCore
import NIOPosix
import UnixSignals

/// Everything the server runs on, assembled by the caller: `herdwatch serve` opens the SQLite file, tests
/// pass in-memory stores and their own key resolver.
public struct ServerComponents: Sendable {
    public var configuration: ServerConfiguration
    public var engines: RuleEngineHolder
    public var reputation: Reputation?
    /// The local follow graph; nil without `instance.domains`.
    public var follows: LocalFollows?
    public var cases: any CaseStore
    public var access: AccessControl
    /// Where actor keys come from; nil builds an `HTTPKeyFetcher` on `httpClient`.
    public var keys: (any ActorKeyResolver)?
    public var httpClient: HTTPClient
    /// Shut `httpClient` down when the server stops (false for `HTTPClient.shared` or a test's client).
    public var ownsHTTPClient: Bool
    public var metrics: ServerMetrics
    public var logger: Logger
    /// Where the workbench keeps browser sessions: the database file for `herdwatch serve`, memory in tests.
    public var sessions: any SessionStore
    /// The applied domain blocks the gate and the admin API read (refreshed before serving by the caller).
    public var blocklist: AppliedBlocklist
    /// A counter that moves whenever the stored blocks change, polled so that changes other processes make are
    /// picked up; nil when nothing else writes the store.
    public var blocklistVersion: (@Sendable () async throws -> Int)?
    /// Called after a subscription's fetched entries were saved (after the applied list has re-read what
    /// subscriptions carry, for `domain.peer_listed`).
    public var blocklistSubscriptionUpdated: (@Sendable (_ subscriptionID: String) async -> Void)?
    /// The database's write-ahead log checkpoints, run by a background service instead of by commits; nil for
    /// stores without one.
    public var checkpoints: DatabaseCheckpoints?
    /// Where nodes share a database: the roles that keep each background job on one node at a time. Nil runs
    /// every job here (one node).
    public var roles: (any NodeRoles)?
    /// Where nodes share a database: how they tell each other of rule reloads and blocklist changes.
    public var signals: (any NodeSignals)?
    /// Where nodes share a database: the verdicts every node reached, so a retry to another node is a repeat.
    public var deliveries: (any DeliveryLedger)?

    public init(
        configuration: ServerConfiguration, engines: RuleEngineHolder, reputation: Reputation?, cases: any CaseStore,
        access: AccessControl, keys: (any ActorKeyResolver)? = nil, httpClient: HTTPClient, ownsHTTPClient: Bool,
        metrics: ServerMetrics = ServerMetrics(), logger: Logger, sessions: any SessionStore = InMemorySessionStore(),
        blocklist: AppliedBlocklist = AppliedBlocklist(store: InMemoryBlocklistStore()),
        blocklistVersion: (@Sendable () async throws -> Int)? = nil,
        blocklistSubscriptionUpdated: (@Sendable (_ subscriptionID: String) async -> Void)? = nil,
        checkpoints: DatabaseCheckpoints? = nil,
        follows: LocalFollows? = nil,
        roles: (any NodeRoles)? = nil,
        signals: (any NodeSignals)? = nil,
        deliveries: (any DeliveryLedger)? = nil
    ) {
        self.deliveries = deliveries
        self.signals = signals
        self.roles = roles
        self.checkpoints = checkpoints
        self.follows = follows
        self.blocklistSubscriptionUpdated = blocklistSubscriptionUpdated
        self.sessions = sessions
        self.blocklist = blocklist
        self.blocklistVersion = blocklistVersion
        self.configuration = configuration
        self.engines = engines
        self.reputation = reputation
        self.cases = cases
        self.access = access
        self.keys = keys
        self.httpClient = httpClient
        self.ownsHTTPClient = ownsHTTPClient
        self.metrics = metrics
        self.logger = logger
    }

    /// An HTTP client for keys and the upstream: no redirects (a redirect could lead a key fetch to a
    /// private address), bounded connect time.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

public enum HerdwatchApplication {
    /// The Hummingbird application: hook, inbox firewall, case API and metrics, with the background services
    /// (reputation flushing) that stop after requests have drained on SIGTERM.
    public static func make(
        _ components: ServerComponents, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let configuration = components.configuration
        let parts = Assembly(components)
        let router = parts.router
        let services = parts.services
        let gate = parts.gate
        let pause = TimeAmount.nanoseconds(Int64(configuration.bodyTimeout.components.seconds) * 1_000_000_000)
        var app = Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [RequestBodyPauseHandler(pause: pause)],
                    idleTimeout: .nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Herdwatch"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: components.logger)
        if configuration.demo {
            let file = configuration.demoFile
            let logger = components.logger
            app.beforeServerStarts {
                let opened = try await DemoReplay.run(file: file, gate: gate)
                logger.info("demo: replayed \(file)", metadata: ["cases.opened": "\(opened)"])
            }
        }
        return app
    }
}

extension HerdwatchApplication {
    /// Review of subscription drafts on the components' blocklist store (nil when it keeps no review), with the
    /// `blocklist.merge.*` settings, impact from the case store, and the gate refreshed after every batch. Its
    /// `subscriptionUpdated` is what the subscription fetcher calls after saving a subscription's entries.
    public static func blocklistReview(_ components: ServerComponents) -> BlocklistReview? {
        guard let store = components.blocklist.store as? any BlocklistReviewStore else { return nil }
        let blocklist = components.blocklist
        let logger = components.logger
        return BlocklistReview(
            store: store, settings: components.configuration.blocklistReview,
            impact: CaseStoreImpact(cases: components.cases), applied: { try await blocklist.refresh() },
            failed: { id, error in
                logger.error(
                    "blocklist: auto-apply after an update of subscription \(id) failed: \(error)",
                    metadata: ["subscription.id": "\(id)"])
            })
    }

    /// The router and services of a server, built from its components: what `make` serves, and what tests that
    /// inspect the routes use.
    struct Assembly {
        let router: Router<HerdwatchRequestContext>
        let services: [any Service]
        let gate: Gate
        /// The thread pool the assembly started (stopped by `ThreadPoolShutdownService`, or by `shutdownPools`).
        let pools: [NIOThreadPool]

        init(_ components: ServerComponents) {
            let configuration = components.configuration
            let keys = components.keys ?? HTTPKeyFetcher(client: components.httpClient, configuration: configuration.keys)
            // Reputation's store reads and writes, and rule compilation, run here: never on the event loops.
            let pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
            pool.start()
            let work = ThreadPoolWork(pool: pool)
            let gate = Gate(
                engines: components.engines, reputation: components.reputation, cases: components.cases, keys: keys,
                signatureMode: configuration.signatureMode, foreignSigner: configuration.foreignSigner, work: work,
                metrics: components.metrics, logger: components.logger, domainBlocks: components.blocklist,
                media: configuration.media.enabled
                    ? MediaInspector(client: components.httpClient, settings: configuration.media, work: work) : nil,
                follows: components.follows, deliveries: components.deliveries)
            let upstream = configuration.upstream.map {
                Upstream(baseURL: $0, client: components.httpClient, timeout: configuration.upstreamTimeout)
            }
            let reloader = RuleReloader(
                engines: components.engines, directory: configuration.rulesDirectory, work: work, logger: components.logger,
                signals: components.signals)
            let bodies = BodyReader(
                bodyTimeout: configuration.bodyTimeout, maxBodyBytes: configuration.maxBodyBytes, metrics: components.metrics)
            let firewall = FirewallMiddleware(
                gate: gate, upstream: upstream, inboxPaths: InboxPaths(configuration.inboxPaths),
                passthroughPaths: InboxPaths(configuration.passthroughPaths),
                forwarding: ForwardedFor(trustedProxies: Set(configuration.trustedProxies)), bodies: bodies,
                maxPassthroughBytes: configuration.maxPassthroughBytes, rejectStatus: configuration.rejectStatus,
                metrics: components.metrics, logger: components.logger)
            let decisions = CaseDecisions(
                cases: components.cases, reputation: components.reputation, upstream: upstream,
                replayWindow: configuration.replayWindow, work: work, metrics: components.metrics, logger: components.logger,
                reasons: configuration.reviewReasons)
            let quality = CaseQuality(
                cases: components.cases, settings: configuration.quality, metrics: components.metrics,
                logger: components.logger)
            let review = HerdwatchApplication.blocklistReview(components)
            let web = WebRoutes(
                pages: PageRenderer(), access: components.access, cases: components.cases, decisions: decisions,
                reputation: components.reputation, work: work, bodies: bodies,
                forwarding: ForwardedFor(trustedProxies: Set(configuration.trustedProxies)), settings: configuration.web,
                replayWindow: configuration.replayWindow,
                media: MediaProxy(client: components.httpClient, allowPrivateAddresses: configuration.keys.allowPrivateAddresses),
                reasons: configuration.reviewReasons, logger: components.logger, quality: quality,
                blocklistReview: review)
            let sessions = SessionPersistDriver(store: components.sessions)
            router = HerdwatchRouter.make(
                .init(
                    gate: gate, access: components.access, decisions: decisions, rules: reloader, firewall: firewall,
                    replayWindow: configuration.replayWindow, metrics: components.metrics, logger: components.logger, web: web,
                    sessions: sessions, quality: quality, blocklist: components.blocklist, blocklistReview: review))
            // Publishing and subscriptions keep keys, snapshots and fetch state in the SQLite store.
            let feedStore = components.blocklist.store as? any BlocklistSubscriptionFetcher.Store
            let subscriptions = feedStore.map { store in
                let blocklist = components.blocklist
                let updated = components.blocklistSubscriptionUpdated
                let logger = components.logger
                return BlocklistSubscriptionService(
                    fetcher: BlocklistSubscriptionFetcher(
                        store: store, settings: configuration.blocklistFeeds, policy: blocklist.policy, logger: logger,
                        onUpdated: { id in
                            do {
                                try await blocklist.refresh()
                            } catch {
                                logger.error("cannot reload the domain blocks", metadata: ["error": "\(error)"])
                            }
                            // Drafts are computed when asked for; what the subscription may apply by itself is
                            // applied now.
                            await review?.subscriptionUpdated(id)
                            await updated?(id)
                        }),
                    checkInterval: configuration.blocklistFeeds.checkInterval)
            }
            let requiring: PermissionGuard = { [access = components.access, logger = components.logger] group, permission in
                group.add(middleware: PermissionMiddleware(permission, access: access, logger: logger))
            }
            BlocklistFeedRoutes(feed: feedStore, settings: configuration.blocklistFeeds, subscriptions: subscriptions)
                .register(on: router, requiring: requiring)
            // Jobs on the shared data run on one node at a time where nodes share a database.
            func exclusive(_ role: String, _ service: any Service) -> any Service {
                components.roles.map { ExclusiveService(role: role, roles: $0, service: service) } ?? service
            }
            let writer = ThreadPoolWork.lowPriorityWriter()
            // Stopped in reverse order, after the server has drained: the thread pools last, since the services use them.
            var services: [any Service] = [
                ThreadPoolShutdownService(pools: [pool, writer.pool]), RuleReloadSignalService(reloader: reloader), sessions,
                exclusive(
                    "lease-expiry", LeaseExpiryService(cases: components.cases, interval: .seconds(30), logger: components.logger)),
                CaseGaugeService(quality: quality, interval: .seconds(60)),
            ]
            if let version = components.blocklistVersion {
                services.append(
                    BlocklistRefreshService(
                        blocklist: components.blocklist, version: version, interval: .seconds(2), logger: components.logger))
            }
            if let subscriptions { services.append(exclusive("blocklist-subscriptions", subscriptions)) }
            if let deliveries = components.deliveries {
                services.append(
                    exclusive(
                        "delivery-ledger",
                        DeliveryLedgerService(
                            ledger: deliveries, retention: configuration.sharedDeliveryRetention, interval: .seconds(60),
                            logger: components.logger)))
            }
            if let signals = components.signals {
                services.append(
                    NodeSignalService(
                        signals: signals, reloader: reloader, blocklist: components.blocklist, logger: components.logger))
            }
            if components.ownsHTTPClient {
                let client = components.httpClient
                services.append(HTTPClientShutdownService { try await client.shutdown() })
            }
            if let retention = configuration.quality.evidenceRetention, let store = components.cases as? any CaseRetentionStore {
                services.append(
                    exclusive(
                        "evidence-retention",
                        EvidenceRetentionService(store: store, retention: retention, logger: components.logger)))
            }
            if let reputation = components.reputation {
                services.append(
                    ReputationWriterService(
                        reputation: reputation, interval: .milliseconds(Int64(configuration.reputationFlushInterval * 1000)),
                        writer: writer.work, logger: components.logger))
            }
            if let checkpoints = components.checkpoints {
                services.append(
                    CheckpointService(checkpoints: checkpoints, interval: .seconds(1), writer: writer.work, logger: components.logger))
            }
            if let follows = components.follows {
                services.append(
                    FollowWriterService(
                        follows: follows, interval: .milliseconds(Int64(configuration.reputationFlushInterval * 1000)),
                        writer: writer.work, logger: components.logger))
            }
            self.services = services
            self.gate = gate
            self.pools = [pool, writer.pool]
        }

        /// Stops the thread pools of an assembly that is not served.
        func shutdownPools() async throws {
            for pool in pools { try await pool.shutdownGracefully() }
        }
    }
}

extension HerdwatchApplication {
    /// Runs the application until SIGTERM or SIGINT, then drains in-flight requests for at most
    /// `shutdownTimeout` (`http.shutdownTimeoutSeconds`), cancels what is left, and stops the services.
    public static func run(_ app: some ApplicationProtocol, shutdownTimeout: Duration = .seconds(10), logger: Logger)
        async throws
    {
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}
