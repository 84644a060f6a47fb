import Access
import Blocklists
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Our list, published for peers, and the subscriptions to theirs:
/// - `GET /.well-known/herdwatch-blocklist-keys`: open; the public keys that sign the list (current, and those
///   still in their overlap after a rotation);
/// - `GET /herdwatch/blocklist/snapshot.json`: the signed snapshot (`SignedEnvelope` of a `BlocklistSnapshot`);
/// - `GET /herdwatch/blocklist/NAME` (`mastodon.csv`, `fediblockhole.csv`, `fediblockhole.json`,
///   `rapidblock.json`, `gotosocial.csv`, `gotosocial.json`, `domains.txt`) and `NAME.sig`: each view rendered
///   from the same snapshot, with its detached signature;
/// - `GET /herdwatch/blocklist/changes?after=CURSOR&limit=N`: the change feed (added, changed, retracted);
/// - `GET /herdwatch/api/v1/blocklist/subscriptions` (`readBlocklist`), `POST …/subscriptions/ID/sync`
///   (`writeBlocklist`): each subscription's fetch state, and a fetch now.
///
/// The published routes are open unless `blocklist.feedToken` is set; then they need `Authorization: Bearer
/// TOKEN`. Files carry a strong ETag (their SHA-256) and Last-Modified (the snapshot's signing time) and answer
/// 304 to a matching conditional request. They need the SQLite store, which keeps keys and snapshots.
struct BlocklistFeedRoutes: Sendable {
    typealias Context = HerdwatchRequestContext

    let feed: (any BlocklistFeedStore)?
    let settings: BlocklistFeedSettings
    let subscriptions: BlocklistSubscriptionService?

    static let files: [String: BlocklistFormat] = [
        "mastodon.csv": .mastodonCSV, "fediblockhole.csv": .fediBlockHoleCSV, "fediblockhole.json": .fediBlockHoleJSON,
        "rapidblock.json": .rapidBlockJSON, "gotosocial.csv": .goToSocialCSV, "gotosocial.json": .goToSocialJSON,
        "domains.txt": .plainText,
    ]
    static let snapshotFile = "snapshot.json"

    func register(on router: Router<Context>, requiring: PermissionGuard) {
        router.get("/.well-known/herdwatch-blocklist-keys", use: keys)
        router.group("/herdwatch/blocklist")
            .get("changes", use: changes)
            .get(":name", use: file)
        requiring(router.group("/herdwatch/api/v1/blocklist/subscriptions"), .readBlocklist)
            .get(use: listSubscriptions)
        requiring(router.group("/herdwatch/api/v1/blocklist/subscriptions"), .writeBlocklist)
            .post(":id/sync", use: sync)
    }

    // MARK: Published

    struct KeyEntity: Encodable {
        var keyId: String
        var publicKey: String
        var validFrom: Date
        var validUntil: Date?
    }

    @Sendable func keys(_ request: Request, context: Context) async -> Response {
        guard let feed else { return Self.unavailable }
        do {
            let now = Date()
            let keys = BlocklistKeyring(try await feed.signingKeys()).signing(at: now)
            return JSONResponse.make([
                "keys": keys.map {
                    KeyEntity(keyId: $0.id, publicKey: $0.publicKey, validFrom: $0.validFrom, validUntil: $0.validUntil)
                }
            ])
        } catch {
            return Self.storageFailure
        }
    }

    @Sendable func file(_ request: Request, context: Context) async -> Response {
        if let refusal = checkToken(request) { return refusal }
        guard let feed else { return Self.unavailable }
        let name = context.parameters.get("name") ?? ""
        let signature = name.hasSuffix(".sig")
        let base = signature ? String(name.dropLast(4)) : name
        guard base == Self.snapshotFile || Self.files[base] != nil else {
            return JSONResponse.error(
                .notFound, code: "not_found",
                "no published file \(name); use \(Self.snapshotFile) or one of "
                    + Self.files.keys.sorted().joined(separator: ", ") + " (each also as NAME.sig)")
        }
        let published: PublishedSnapshot?
        do {
            published = try await feed.publishedSnapshot(
                publisher: settings.publisher, validity: settings.snapshotValidity, now: Date())
        } catch {
            return Self.storageFailure
        }
        guard let published else {
            return JSONResponse.error(
                .notFound, code: "no_signing_key",
                "the list is not published until it has a signing key; create one with "
                    + "`herdwatch blocklist keys generate --db FILE`")
        }
        let snapshot = published.snapshot
        let body: Data
        let mediaType: String
        if base == Self.snapshotFile {
            body = published.envelope
            mediaType = "application/json"
        } else {
            let format = Self.files[base]!
            body = Data(
                BlocklistExport.render(
                    snapshot.entries, as: format, options: .init(publishedAt: snapshot.issuedAt)
                ).utf8)
            mediaType = format.mediaType
        }
        if signature {
            let detached = DetachedSignature(file: base, bytes: body, of: snapshot).signed(with: published.keys)
            return Self.conditional(
                request, body: detached.encoded, mediaType: "application/json", at: snapshot.issuedAt)
        }
        return Self.conditional(request, body: body, mediaType: mediaType, at: snapshot.issuedAt)
    }

    struct ChangeEntity: Encodable {
        var cursor: Int
        var kind: String
        var domain: String
        var severity: String
        var rejectMedia: Bool
        var rejectReports: Bool
        var publicComment: String
        var obfuscate: Bool
        var reasons: [String]
        var revision: Int
        var at: Date
    }

    struct ChangesEntity: Encodable {
        var changes: [ChangeEntity]
        /// Pass as `after` next time.
        var cursor: Int
    }

    @Sendable func changes(_ request: Request, context: Context) async -> Response {
        if let refusal = checkToken(request) { return refusal }
        guard let feed else { return Self.unavailable }
        let query = request.uri.queryParameters
        let after = query["after"].map { Int($0) } ?? 0
        let limit = query["limit"].map { Int($0) } ?? 500
        guard let after, after >= 0, let limit, (1...5000).contains(limit) else {
            return JSONResponse.error(
                .badRequest, code: "bad_cursor",
                "after must be a cursor from an earlier answer (0 for everything) and limit a number from 1 to 5000")
        }
        do {
            let changes = try await feed.changes(after: after, limit: limit)
            return JSONResponse.make(
                ChangesEntity(
                    changes: changes.map {
                        ChangeEntity(
                            cursor: $0.cursor, kind: $0.kind.rawValue, domain: $0.block.domain,
                            severity: $0.block.severity.rawValue, rejectMedia: $0.block.rejectMedia,
                            rejectReports: $0.block.rejectReports, publicComment: $0.block.publicComment,
                            obfuscate: $0.block.obfuscate, reasons: $0.block.reasons.map(\.rawValue).sorted(),
                            revision: $0.block.revision, at: $0.at)
                    }, cursor: changes.last?.cursor ?? after))
        } catch {
            return Self.storageFailure
        }
    }

    /// A refusal when `blocklist.feedToken` is set and the request does not carry it.
    private func checkToken(_ request: Request) -> Response? {
        guard let token = settings.feedToken else { return nil }
        let sent = request.headers[.authorization].flatMap { header -> Substring? in
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return parts[1].drop { $0 == " " }
        }
        // Compared as digests, so the time taken says nothing about the token.
        if let sent, SHA256.hash(data: Data(sent.utf8)) == SHA256.hash(data: Data(token.utf8)) { return nil }
        return JSONResponse.error(
            .unauthorized, code: "unauthorized",
            "this list is published to peers with a token; send it as `Authorization: Bearer TOKEN` "
                + "(ask the publisher; subscribe with --token)")
    }

    /// `body` with a strong ETag and Last-Modified, or 304 when the request's validators match.
    static func conditional(_ request: Request, body: Data, mediaType: String, at: Date) -> Response {
        let etag = "\"" + SHA256.hash(data: body).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        let lastModified = HTTPDate.format(at)
        var headers: HTTPFields = [
            .eTag: etag, .lastModified: lastModified, .contentType: "\(mediaType); charset=utf-8",
            .cacheControl: "no-cache",
        ]
        var notModified = false
        if let match = request.headers[.ifNoneMatch] {
            notModified = match.split(separator: ",").contains {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == "*" || tag == etag || tag == "W/" + etag
            }
        } else if let since = request.headers[.ifModifiedSince].flatMap(HTTPDate.parse) {
            notModified = at.timeIntervalSince1970.rounded(.down) <= since.timeIntervalSince1970
        }
        if notModified {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static let unavailable = JSONResponse.error(
        .notFound, code: "not_published",
        "publishing needs the database (keys and signed snapshots are kept there); run `herdwatch serve` with database.path"
    )

    static let storageFailure = JSONResponse.error(
        .serviceUnavailable, code: "storage_unavailable", "cannot read the published list now; retry later")

    // MARK: Subscriptions

    struct SubscriptionEntity: Encodable {
        var id: String
        var url: String
        var format: String?
        var enabled: Bool
        var intervalSeconds: Int
        var keys: Int
        var etag: String?
        var lastModified: String?
        var lastSequence: Int?
        var lastSha256: String?
        var lastAttempt: Date?
        var lastSuccess: Date?
        var lastError: String?
        var entries: Int
        /// What a sync just did: `updated`, `unchanged`, `rejected` or `failed`.
        var result: String?
    }

    static func entity(_ subscription: BlocklistSubscription, _ state: BlocklistFetchState) -> SubscriptionEntity {
        SubscriptionEntity(
            id: subscription.id, url: subscription.url, format: subscription.format?.rawValue,
            enabled: subscription.enabled, intervalSeconds: Int(subscription.interval),
            keys: subscription.publicKeys.count,
            etag: state.etag, lastModified: state.lastModified, lastSequence: state.checkpoint?.sequence,
            lastSha256: state.checkpoint?.sha256, lastAttempt: state.lastAttempt, lastSuccess: state.lastSuccess,
            lastError: state.lastError, entries: state.entryCount)
    }

    @Sendable func listSubscriptions(_ request: Request, context: Context) async -> Response {
        guard let subscriptions else { return JSONResponse.make([SubscriptionEntity]()) }
        do {
            let states = try await subscriptions.states()
            return JSONResponse.make(states.map { Self.entity($0.subscription, $0.state) })
        } catch {
            return Self.storageFailure
        }
    }

    @Sendable func sync(_ request: Request, context: Context) async -> Response {
        let id = context.parameters.get("id") ?? ""
        do {
            guard let outcome = try await subscriptions?.sync(id: id) else {
                return JSONResponse.error(
                    .notFound, code: "not_found",
                    "there is no subscription \(id); list them with GET /herdwatch/api/v1/blocklist/subscriptions")
            }
            var entity = Self.entity(outcome.subscription, outcome.state)
            switch outcome.result {
            case .updated: entity.result = "updated"
            case .unchanged: entity.result = "unchanged"
            case .rejected: entity.result = "rejected"
            case .failed: entity.result = "failed"
            }
            return JSONResponse.make(entity)
        } catch {
            return Self.storageFailure
        }
    }
}

/// HTTP dates (RFC 9110 IMF-fixdate).
enum HTTPDate {
    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }

    static func format(_ date: Date) -> String { formatter().string(from: date) }

    static func parse(_ text: String) -> Date? { formatter().date(from: text) }
}
