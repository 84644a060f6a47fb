public import Blocklists
public import Configuration
public import Foundation
public import Reputation
import ReviewQueue
import Storage
import _CryptoExtras

/// Everything `herdwatch serve` can be told, read from a `ConfigReader`: command-line flags first, then
/// environment variables (`HERDWATCH_` and the key in upper case, with `_` for `.` and between the words of a
/// camel-case key, e.g. `HERDWATCH_HTTP_PORT`, `HERDWATCH_REPUTATION_FLUSH_SECONDS`), then the YAML config file,
/// then these defaults.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `http.host` | string | `127.0.0.1` | address to listen on |
/// | `http.port` | int | `8080` | port to listen on (0 picks a free one) |
/// | `http.idleTimeoutSeconds` | int | `60` | a connection that sends no complete request head for this long (idle keep-alive, or a half-sent head) is closed |
/// | `http.bodyTimeoutSeconds` | int | `15` | a request body that pauses this long is cut off (the connection closed); an inbox delivery's body must arrive in full within it (408) |
/// | `http.shutdownTimeoutSeconds` | int | `10` | on SIGTERM, requests in flight get this long to finish before they are cancelled and the process exits |
/// | `database.path` | string | `$HERDWATCH_DB` or `~/.local/share/herdwatch/herdwatch.sqlite` | SQLite file |
/// | `database.url` | string | `$HERDWATCH_DATABASE_URL` | a PostgreSQL database shared by several nodes, `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=require&schema=NAME]`; when set, used instead of `database.path` |
/// | `database.shareDeliveryVerdicts` | bool | `true` | with `database.url`: each node records every delivery's verdict and looks up the others' (batched), so a retry reaching another node is known as a repeat; costs a query per batch of deliveries on the hook's path |
/// | `database.deliveryRetentionHours` | int | `24` | with `database.url`: how long the verdicts of every node's deliveries are kept, so that a sender's retry reaching another node is known as a repeat |
/// | `database.busyTimeoutMilliseconds` | int | `250` | how long a request waits for a database another process has locked before it is answered 503 (the sender retries) |
/// | `rules.directory` | string | `Rules` | rule directory |
/// | `proxy.upstream` | string | none | the instance to forward inbox traffic to, e.g. `http://127.0.0.1:3000`; without it only the hook runs |
/// | `proxy.inboxPaths` | string array | every delivery path of Mastodon, GoToSocial, Akkoma/Pleroma, Misskey, Lemmy, PeerTube, Pixelfed and Friendica (`InboxPaths.knownDeliveryPaths`) | POST paths evaluated as inbox deliveries; `*` is one path segment, and `inbox.json`-style format suffixes match too |
/// | `proxy.passthroughPaths` | string array | none | POST paths never gated even when signed or carrying an activity (exceptions to failing closed); `*` is one path segment |
/// | `proxy.trustedProxies` | string array | `127.0.0.1,::1` | peers whose `X-Forwarded-For` is kept (the peer is appended); from any other peer it is replaced by the peer's address |
/// | `proxy.maxBodyBytes` | int | `1048576` | largest request body accepted (413 above) |
/// | `proxy.maxPassthroughBytes` | int | `104857600` | largest body streamed through to the instance on other requests (media uploads) |
/// | `proxy.rejectStatus` | int | `202` | status answered for rejected and held deliveries |
/// | `proxy.replayWindowSeconds` | int | `3600` | how long after its signature a held delivery can still be replayed |
/// | `proxy.upstreamTimeoutSeconds` | int | `30` | timeout for a request to the upstream |
/// | `signatures.mode` | string | `enforce` | `enforce`: an inbox delivery whose signature fails is answered 401 and never forwarded; `evaluate`: it is evaluated as unverified and rules decide |
/// | `signatures.foreignSigner` | string | `refuse` | a delivery signed by someone other than its `actor`: `refuse` answers 401, never forwards it and counts it against nobody; `evaluate` hands it to the rules as unsigned, with `signature.actor_mismatch` set |
/// | `keys.allowPrivateAddresses` | bool | `false` | allow fetching actor keys from loopback and private addresses (tests, closed networks) |
/// | `keys.cacheSeconds` | int | `86400` | how long a fetched key is trusted before it is fetched again; a key is fetched at most once a minute (a signature that fails under a cached key is checked against it until then), and a failed fetch keeps the cached key |
/// | `keys.cacheBytes` | int | `16777216` | most memory the key cache holds (keys and compact actor profiles), least recently used evicted first |
/// | `keys.fetchTimeoutSeconds` | int | `5` | deadline for the whole fetch of a key: resolving, connecting, headers and body |
/// | `keys.maxBytes` | int | `262144` | largest key or actor document accepted |
/// | `keys.signingKeyId` | string | none | key id to sign key fetches with (servers in authorized-fetch mode need it) |
/// | `keys.signingKeyFile` | string | none | PEM file with that key's RSA private key (secret) |
/// | `media.inspect` | bool | `false` | read QR codes in the PNG and JPEG images of verified deliveries and show their links to rules (`links.from_media`, and in `links`, `link.hosts`, `link.domains`); the delivery waits for its images |
/// | `media.fetchTimeoutSeconds` | int | `3` | the most a delivery waits for its images (fetched at once; one deadline for all); what is late is left out |
/// | `media.maxBytes` | int | `8388608` | largest image fetched |
/// | `media.maxPixels` | int | `16777216` | largest image decoded, by the dimensions in its header |
/// | `media.cacheBytes` | int | `4194304` | memory for what each image URL gave, least recently used evicted first |
/// | `reputation.enabled` | bool | `true` | read and record reputation; off, rules see no reputation signals |
/// | `instance.domains` | string list | none | the instance's own hosts, as its actor ids carry them (e.g. `social.example`): actors there are local users, for the follow graph and its signals (`actor.followed_by_local`, `mentions.local`, …); without it those signals are 0 and nothing is learned |
/// | `reputation.flushSeconds` | int | `2` | how often reputation is written to the database |
/// | `reputation.record` | string | `off` | the per-activity record of verdicts (table `observation`), for backtests and inspection: `off`, `sample` (a fraction of activities, by id) or `all`; reputation, cases and signals never need it |
/// | `reputation.recordSample` | double | `0.01` | with `record: sample`, the fraction of activities recorded |
/// | `reputation.recordLimit` | int | `1000000` | the record's size budget: the oldest records beyond this many are deleted; `0` for no limit |
/// | `reputation.cacheMiB` | int | `64` | memory for cached reputation (actors, domains, counters, labels, open campaigns), as estimated per entry; past it, the largest kinds are written and dropped, and read again when needed |
/// | `reputation.actorRetentionDays` | int | `30` | an actor with no moderator decision (confirmed spam or ham) and not seen for this many days is deleted from the database, and counts as never seen if it comes back; `0` keeps every actor |
/// | `reputation.observationDays` | int | `7` | days the per-activity record of verdicts (table `observation`) is kept; `0` keeps it forever |
/// | `review.reasons` | string array | `spam,harassment,hate,illegal,csam,impersonation,misinformation,other,not_a_violation` | the reason codes a decision may carry (lower case, digits and `_`) |
/// | `review.slaMinutes` | int | `240` | a case not closed this many minutes after it opened breaches the service level (a queue may set its own) |
/// | `review.qaShare` | double | `0.05` | share of closed cases sampled for a blind second review (0 to 1) |
/// | `review.evidenceRetentionDays` | int | `90` | days after closing when a case's body, stored request and actor document are purged; `0` keeps them |
/// | `demo` | bool | `false` | at start, evaluate `Fixtures/demo.ndjson` so the queue has cases |
/// | `demo.file` | string | `Fixtures/demo.ndjson` | the stream `demo` replays |
/// | `web.secureCookies` | bool | `true` unless `http.host` is loopback | mark the workbench's session cookie `Secure` (the browser then sends it over https only) |
/// | `web.sessionIdleMinutes` | int | `30` | a workbench session unused this long is signed out |
/// | `web.breakReminderAfter` | int | `50` | show a break reminder after this many sensitive items in a session; `0`: never |
/// | `web.blurMedia` | bool | `true` | blur and desaturate revealed media by default |
/// | `blocklist.publisher` | string | `http.host` | the name our signed snapshots give as their publisher (our domain) |
/// | `blocklist.snapshotValidityHours` | int | `168` | how long a signed snapshot is valid; it is signed again when half of that has passed |
/// | `blocklist.feedToken` | string | none | when set, the published list (`/herdwatch/blocklist/…`) needs `Authorization: Bearer` this token (secret) |
/// | `blocklist.fetchTimeoutSeconds` | int | `30` | deadline for fetching a subscribed list, connection to last byte |
/// | `blocklist.fetchMaxBytes` | int | `16777216` | largest subscribed list accepted |
/// | `blocklist.syncCheckSeconds` | int | `30` | how often the subscription service looks for subscriptions due (each is fetched every its own `interval`) |
/// | `blocklist.merge.thresholdType` | string | `count` | how subscription drafts count support: `count` of lists, `pct` of lists, summed `weight`, or `weighted_pct` of all weight |
/// | `blocklist.merge.threshold` | double | `0` | the support a domain needs under that type (our own blocks always pass) |
/// | `blocklist.merge.plan` | string | `max` | which severity wins when lists disagree: `max` or `min` |
/// | `blocklist.merge.allowlist` | string array | none | domains never proposed for a block |
/// | `blocklist.merge.excludes` | string array | none | domains never proposed, with their subdomains |
/// | `blocklist.merge.ownDomain` | string | none | our own domain: never proposed, nor any domain above it |
/// | `blocklist.merge.massRetractionShare` | double | `0.2` | retractions removing more than this share (0 to 1) of what one subscription brought are held until confirmed |
public struct ServerConfiguration: Sendable {
    public enum SignatureMode: String, Sendable {
        case enforce
        case evaluate
    }

    /// What to do with a delivery whose verified signer is not its actor.
    public enum ForeignSignerPolicy: String, Sendable {
        case refuse
        case evaluate
    }

    public var host: String
    public var port: Int
    public var idleTimeout: Duration
    public var bodyTimeout: Duration
    public var shutdownTimeout: Duration
    public var databasePath: String
    /// The PostgreSQL database, when the data is shared with other nodes; nil for the SQLite file.
    public var databaseURL: String?
    /// Whether nodes sharing a database record and look up each other's delivery verdicts
    /// (`database.shareDeliveryVerdicts`).
    public var shareDeliveryVerdicts: Bool
    /// How long nodes sharing a database keep each other's delivery verdicts (`database.deliveryRetentionHours`).
    public var sharedDeliveryRetention: TimeInterval
    /// How long the server waits for a lock held by another process.
    public var databaseBusyTimeout: TimeInterval
    public var rulesDirectory: String
    public var upstream: URL?
    public var inboxPaths: [String]
    public var passthroughPaths: [String]
    public var trustedProxies: [String]
    public var maxBodyBytes: Int
    public var maxPassthroughBytes: Int
    public var rejectStatus: Int
    public var replayWindow: TimeInterval
    public var upstreamTimeout: TimeInterval
    public var signatureMode: SignatureMode
    public var foreignSigner: ForeignSignerPolicy
    public var keys: KeyFetchConfiguration
    public var reputationEnabled: Bool
    /// `instance.domains`, normalised, each once.
    public var instanceDomains: [String]
    public var reputationFlushInterval: TimeInterval
    /// How long observations are kept; nil keeps them.
    public var observationRetention: TimeInterval?
    /// Which activities get a per-activity record, and how many records are kept at most (nil: no budget).
    public var recording: Reputation.Configuration.Recording
    public var recordLimit: Int?
    /// The reputation cache's memory budget (`reputation.cacheMiB`), in bytes.
    public var reputationCacheBytes: Int
    /// How long an actor with no decision is kept after it was last seen (`reputation.actorRetentionDays`); nil
    /// keeps every actor.
    public var actorRetention: TimeInterval?
    /// The reason codes a case decision may carry.
    public var reviewReasons: [String]
    /// Service levels, QA sampling and evidence retention (`review.slaMinutes`, `review.qaShare`,
    /// `review.evidenceRetentionDays`).
    public var quality: ReviewQualitySettings
    public var demo: Bool
    public var demoFile: String
    /// The browser workbench (`web.*`).
    public var web: WebSettings
    /// Publishing our list and fetching subscribed ones (`blocklist.*`).
    public var blocklistFeeds: BlocklistFeedSettings
    /// How subscription drafts are merged and held (`blocklist.merge.*`).
    public var blocklistReview: BlocklistReviewSettings
    /// Reading QR codes in images (`media.*`).
    public var media: MediaInspectionSettings

    public init(reader: ConfigReader) throws(ServerConfigurationError) {
        host = reader.string(forKey: "http.host", default: "127.0.0.1")
        port = reader.int(forKey: "http.port", default: 8080)
        guard (0...65_535).contains(port) else {
            throw ServerConfigurationError(key: "http.port", message: "\(port) is not a port number; use 1 to 65535, or 0 for any free port")
        }
        func seconds(_ seconds: Int, _ key: String) throws(ServerConfigurationError) -> Duration {
            guard seconds >= 1 else {
                throw ServerConfigurationError(key: key, message: "\(seconds) is too small; give at least 1 second")
            }
            return .seconds(seconds)
        }
        idleTimeout = try seconds(reader.int(forKey: "http.idleTimeoutSeconds", default: 60), "http.idleTimeoutSeconds")
        bodyTimeout = try seconds(reader.int(forKey: "http.bodyTimeoutSeconds", default: 15), "http.bodyTimeoutSeconds")
        shutdownTimeout = try seconds(
            reader.int(forKey: "http.shutdownTimeoutSeconds", default: 10), "http.shutdownTimeoutSeconds")
        databasePath = reader.string(forKey: "database.path") ?? SQLiteDatabase.defaultPath
        databaseURL = reader.string(forKey: "database.url").flatMap { $0.isEmpty ? nil : $0 }
        let busyMilliseconds = reader.int(forKey: "database.busyTimeoutMilliseconds", default: 250)
        guard busyMilliseconds >= 0 else {
            throw ServerConfigurationError(
                key: "database.busyTimeoutMilliseconds", message: "\(busyMilliseconds) is negative; give milliseconds, 0 or more")
        }
        databaseBusyTimeout = TimeInterval(busyMilliseconds) / 1000
        shareDeliveryVerdicts = reader.bool(forKey: "database.shareDeliveryVerdicts", default: true)
        let deliveryHours = reader.int(forKey: "database.deliveryRetentionHours", default: 24)
        guard deliveryHours >= 1 else {
            throw ServerConfigurationError(
                key: "database.deliveryRetentionHours",
                message: "\(deliveryHours) is too small; give at least 1 hour (senders retry for hours)")
        }
        sharedDeliveryRetention = TimeInterval(deliveryHours) * 3_600
        rulesDirectory = reader.string(forKey: "rules.directory", default: "Rules")
        instanceDomains = []
        for domain in reader.stringArray(forKey: "instance.domains", default: []) {
            guard let host = LocalFollows.normalizedDomain(domain) else {
                throw ServerConfigurationError(
                    key: "instance.domains",
                    message: "\(domain) is not a host name; give the host of the instance's actor ids, like social.example")
            }
            if !instanceDomains.contains(host) { instanceDomains.append(host) }
        }
        if let upstream = reader.string(forKey: "proxy.upstream"), !upstream.isEmpty {
            guard let url = URL(string: upstream), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host != nil
            else {
                throw ServerConfigurationError(
                    key: "proxy.upstream", message: "\(upstream) is not an http(s) URL; write it like http://127.0.0.1:3000")
            }
            self.upstream = url
        }
        inboxPaths = reader.stringArray(forKey: "proxy.inboxPaths", default: InboxPaths.knownDeliveryPaths)
        passthroughPaths = reader.stringArray(forKey: "proxy.passthroughPaths", default: [])
        for (key, paths) in [("proxy.inboxPaths", inboxPaths), ("proxy.passthroughPaths", passthroughPaths)] {
            for path in paths where !path.hasPrefix("/") {
                throw ServerConfigurationError(key: key, message: "\(path) must start with /, like /users/*/inbox")
            }
        }
        trustedProxies = reader.stringArray(forKey: "proxy.trustedProxies", default: ["127.0.0.1", "::1"])
        maxBodyBytes = reader.int(forKey: "proxy.maxBodyBytes", default: 1_048_576)
        guard maxBodyBytes >= 1024 else {
            throw ServerConfigurationError(key: "proxy.maxBodyBytes", message: "\(maxBodyBytes) bytes is too small for any activity; use at least 1024")
        }
        maxPassthroughBytes = reader.int(forKey: "proxy.maxPassthroughBytes", default: 104_857_600)
        rejectStatus = reader.int(forKey: "proxy.rejectStatus", default: 202)
        guard (200...599).contains(rejectStatus) else {
            throw ServerConfigurationError(key: "proxy.rejectStatus", message: "\(rejectStatus) is not an HTTP status; 202 keeps senders from retrying")
        }
        replayWindow = TimeInterval(reader.int(forKey: "proxy.replayWindowSeconds", default: 3600))
        upstreamTimeout = TimeInterval(reader.int(forKey: "proxy.upstreamTimeoutSeconds", default: 30))
        let mode = reader.string(forKey: "signatures.mode", default: "enforce")
        guard let signatureMode = SignatureMode(rawValue: mode) else {
            throw ServerConfigurationError(key: "signatures.mode", message: "\(mode) is not a mode; use enforce or evaluate")
        }
        self.signatureMode = signatureMode
        let foreign = reader.string(forKey: "signatures.foreignSigner", default: "refuse")
        guard let foreignSigner = ForeignSignerPolicy(rawValue: foreign) else {
            throw ServerConfigurationError(
                key: "signatures.foreignSigner", message: "\(foreign) is not a policy; use refuse or evaluate")
        }
        self.foreignSigner = foreignSigner
        keys = KeyFetchConfiguration(
            allowPrivateAddresses: reader.bool(forKey: "keys.allowPrivateAddresses", default: false),
            cacheLifetime: TimeInterval(reader.int(forKey: "keys.cacheSeconds", default: 86_400)),
            timeout: TimeInterval(reader.int(forKey: "keys.fetchTimeoutSeconds", default: 5)),
            maxBytes: reader.int(forKey: "keys.maxBytes", default: 262_144),
            cacheBytes: reader.int(forKey: "keys.cacheBytes", default: 16 << 20))
        guard keys.cacheBytes >= 65_536 else {
            throw ServerConfigurationError(
                key: "keys.cacheBytes", message: "\(keys.cacheBytes) is too small to hold keys; give at least 65536")
        }
        if let keyID = reader.string(forKey: "keys.signingKeyId") {
            guard let file = reader.string(forKey: "keys.signingKeyFile", isSecret: true) else {
                throw ServerConfigurationError(key: "keys.signingKeyFile", message: "keys.signingKeyId is set; also give the PEM file of its private key")
            }
            guard let pem = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ServerConfigurationError(key: "keys.signingKeyFile", message: "cannot read \(file)")
            }
            guard let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) else {
                throw ServerConfigurationError(key: "keys.signingKeyFile", message: "\(file) is not an RSA private key in PEM form")
            }
            keys.signer = KeyFetchConfiguration.Signer(keyID: keyID, privateKey: key)
        }
        reputationEnabled = reader.bool(forKey: "reputation.enabled", default: true)
        let flushSeconds = reader.int(forKey: "reputation.flushSeconds", default: 2)
        guard flushSeconds >= 1 else {
            throw ServerConfigurationError(
                key: "reputation.flushSeconds", message: "\(flushSeconds) is too small; give at least 1 second")
        }
        reputationFlushInterval = TimeInterval(flushSeconds)
        let observationDays = reader.int(forKey: "reputation.observationDays", default: 7)
        guard observationDays >= 0 else {
            throw ServerConfigurationError(
                key: "reputation.observationDays", message: "\(observationDays) is negative; give a number of days, or 0 to keep every observation")
        }
        observationRetention = observationDays == 0 ? nil : TimeInterval(observationDays) * 86_400
        switch reader.string(forKey: "reputation.record", default: "off") {
        case "off": recording = .off
        case "all": recording = .all
        case "sample":
            let fraction = reader.double(forKey: "reputation.recordSample", default: 0.01)
            guard fraction > 0, fraction <= 1 else {
                throw ServerConfigurationError(
                    key: "reputation.recordSample", message: "\(fraction) is not a fraction; give one above 0 and at most 1, like 0.01")
            }
            recording = .sample(fraction)
        case let other:
            throw ServerConfigurationError(
                key: "reputation.record", message: "\(other) is not a recording mode; use off, sample or all")
        }
        let limit = reader.int(forKey: "reputation.recordLimit", default: 1_000_000)
        guard limit >= 0 else {
            throw ServerConfigurationError(
                key: "reputation.recordLimit", message: "\(limit) is negative; give a number of records, or 0 for no limit")
        }
        recordLimit = limit == 0 ? nil : limit
        let cacheMiB = reader.int(forKey: "reputation.cacheMiB", default: Reputation.Configuration.defaultCacheBytes >> 20)
        guard cacheMiB >= 1 else {
            throw ServerConfigurationError(
                key: "reputation.cacheMiB", message: "\(cacheMiB) is too small; give at least 1 (MiB), like 64")
        }
        reputationCacheBytes = cacheMiB << 20
        let actorDays = reader.int(
            forKey: "reputation.actorRetentionDays", default: Int(Reputation.Configuration.defaultActorRetention / 86_400))
        guard actorDays >= 0 else {
            throw ServerConfigurationError(
                key: "reputation.actorRetentionDays", message: "\(actorDays) is negative; give a number of days, or 0 to keep every actor")
        }
        actorRetention = actorDays == 0 ? nil : TimeInterval(actorDays) * 86_400
        reviewReasons = reader.stringArray(forKey: "review.reasons", default: ReasonCodes.default)
        let reasonCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
        guard !reviewReasons.isEmpty, reviewReasons.allSatisfy({ !$0.isEmpty && $0.allSatisfy(reasonCharacters.contains) }) else {
            throw ServerConfigurationError(
                key: "review.reasons", message: "list one or more reason codes of lower-case letters, digits and _, like spam,other")
        }
        quality = try ReviewQualitySettings(reader: reader)
        demo = reader.bool(forKey: "demo", default: false)
        demoFile = reader.string(forKey: "demo.file", default: "Fixtures/demo.ndjson")
        // Cookies are `Secure` unless the operator serves plain http on loopback (the browser would not send a
        // Secure cookie back over http); behind a TLS proxy on loopback, set web.secureCookies: true.
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(host)
        let idleMinutes = reader.int(forKey: "web.sessionIdleMinutes", default: 30)
        guard idleMinutes >= 1 else {
            throw ServerConfigurationError(key: "web.sessionIdleMinutes", message: "\(idleMinutes) is too small; give at least 1 minute")
        }
        let breakAfter = reader.int(forKey: "web.breakReminderAfter", default: 50)
        guard breakAfter >= 0 else {
            throw ServerConfigurationError(
                key: "web.breakReminderAfter", message: "\(breakAfter) is negative; give a number of sensitive items, or 0 for no reminder")
        }
        web = WebSettings(
            secureCookies: reader.bool(forKey: "web.secureCookies", default: !loopback), idleTimeout: .seconds(idleMinutes * 60),
            breakAfter: breakAfter, blurMedia: reader.bool(forKey: "web.blurMedia", default: true))
        let validityHours = reader.int(forKey: "blocklist.snapshotValidityHours", default: 168)
        let fetchSeconds = reader.int(forKey: "blocklist.fetchTimeoutSeconds", default: 30)
        let fetchBytes = reader.int(forKey: "blocklist.fetchMaxBytes", default: 16 << 20)
        let checkSeconds = reader.int(forKey: "blocklist.syncCheckSeconds", default: 30)
        for (key, value) in [
            ("blocklist.snapshotValidityHours", validityHours), ("blocklist.fetchTimeoutSeconds", fetchSeconds),
            ("blocklist.fetchMaxBytes", fetchBytes), ("blocklist.syncCheckSeconds", checkSeconds),
        ] where value < 1 {
            throw ServerConfigurationError(key: key, message: "\(value) is too small; give at least 1")
        }
        blocklistFeeds = BlocklistFeedSettings(
            publisher: reader.string(forKey: "blocklist.publisher", default: host),
            snapshotValidity: TimeInterval(validityHours) * 3600,
            feedToken: reader.string(forKey: "blocklist.feedToken", isSecret: true).flatMap { $0.isEmpty ? nil : $0 },
            fetchTimeout: TimeInterval(fetchSeconds), fetchMaxBytes: fetchBytes,
            allowPrivateAddresses: keys.allowPrivateAddresses, checkInterval: .seconds(checkSeconds))
        blocklistReview = try Self.blocklistReview(reader)
        media = try MediaInspectionSettings(reader: reader, allowPrivateAddresses: keys.allowPrivateAddresses)
    }

    private static func blocklistReview(_ reader: ConfigReader) throws(ServerConfigurationError) -> BlocklistReviewSettings {
        let value = reader.double(forKey: "blocklist.merge.threshold", default: 0)
        guard value.isFinite, value >= 0 else {
            throw ServerConfigurationError(key: "blocklist.merge.threshold", message: "\(value) is negative; give 0 or more")
        }
        let threshold: MergePlan.Threshold
        switch reader.string(forKey: "blocklist.merge.thresholdType", default: "count") {
        case "count": threshold = .count(Int(value.rounded(.up)))
        case "pct": threshold = .percent(value)
        case "weight": threshold = .weight(value)
        case "weighted_pct": threshold = .weightedPercent(value)
        case let other:
            throw ServerConfigurationError(
                key: "blocklist.merge.thresholdType", message: "\(other) is not one of count, pct, weight, weighted_pct")
        }
        let planName = reader.string(forKey: "blocklist.merge.plan", default: "max")
        guard let severity = MergePlan.SeverityPlan(rawValue: planName) else {
            throw ServerConfigurationError(key: "blocklist.merge.plan", message: "\(planName) is not max or min")
        }
        let ownDomain = reader.string(forKey: "blocklist.merge.ownDomain")
        do {
            _ = try DomainPolicy(ownDomain: ownDomain)
        } catch {
            throw ServerConfigurationError(key: "blocklist.merge.ownDomain", message: error.message)
        }
        let policy: DomainPolicy
        do {
            policy = try DomainPolicy(
                ownDomain: ownDomain, excludes: reader.stringArray(forKey: "blocklist.merge.excludes", default: []))
        } catch {
            throw ServerConfigurationError(key: "blocklist.merge.excludes", message: error.message)
        }
        var allowlist = Set<String>()
        for domain in reader.stringArray(forKey: "blocklist.merge.allowlist", default: []) {
            do {
                allowlist.insert(try BlockDomain.normalize(domain))
            } catch {
                throw ServerConfigurationError(key: "blocklist.merge.allowlist", message: error.message)
            }
        }
        let share = reader.double(forKey: "blocklist.merge.massRetractionShare", default: 0.2)
        guard (0...1).contains(share) else {
            throw ServerConfigurationError(
                key: "blocklist.merge.massRetractionShare", message: "\(share) is not a share from 0 to 1 (0.2 is 20 %)")
        }
        return BlocklistReviewSettings(
            plan: MergePlan(severity: severity, threshold: threshold, allowlist: allowlist, policy: policy),
            massRetractionShare: share)
    }
}


/// How we publish our list and fetch subscribed ones (`blocklist.*` keys of `ServerConfiguration`).
public struct BlocklistFeedSettings: Sendable {
    public var publisher: String
    public var snapshotValidity: TimeInterval
    public var feedToken: String?
    public var fetchTimeout: TimeInterval
    public var fetchMaxBytes: Int
    /// Fetch subscribed lists from loopback and private addresses (`keys.allowPrivateAddresses`).
    public var allowPrivateAddresses: Bool
    public var checkInterval: Duration

    public init(
        publisher: String = "localhost", snapshotValidity: TimeInterval = 7 * 86_400, feedToken: String? = nil,
        fetchTimeout: TimeInterval = 30, fetchMaxBytes: Int = 16 << 20, allowPrivateAddresses: Bool = false,
        checkInterval: Duration = .seconds(30)
    ) {
        self.publisher = publisher
        self.snapshotValidity = snapshotValidity
        self.feedToken = feedToken
        self.fetchTimeout = fetchTimeout
        self.fetchMaxBytes = fetchMaxBytes
        self.allowPrivateAddresses = allowPrivateAddresses
        self.checkInterval = checkInterval
    }
}

/// A configuration value that cannot be used.
public struct ServerConfigurationError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String

    public var description: String { "configuration \(key): \(message)" }
}
