import AsyncHTTPClient
public import Blocklists
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// What one fetch of a subscription did.
public struct BlocklistSyncOutcome: Sendable {
    public enum Result: Sendable, Hashable {
        /// The list was read and its entries saved.
        case updated(entries: Int)
        /// 304, or the signed snapshot already accepted: nothing to do.
        case unchanged
        /// Refused (signature, chain, expiry, format); the entries the subscription had stay.
        case rejected(String)
        /// Not fetched (network, status, size, address); the entries stay.
        case failed(String)
    }

    public var subscription: BlocklistSubscription
    public var state: BlocklistFetchState
    public var result: Result
}

/// Fetches subscribed lists and saves what they carry, for the CLI (`blocklist sync`) and the background
/// service alike. A fetch is bounded (`fetchTimeout` for all of it, `fetchMaxBytes`), conditional (ETag,
/// Last-Modified), follows no redirect, and connects only to public addresses unless `allowPrivateAddresses`
/// (the address policy of key fetches). A subscription with public keys accepts only what verifies: a signed
/// snapshot, or a file with its detached signature at URL.sig. Every refusal is logged and kept as the
/// subscription's last error, and the entries it had stay.
public struct BlocklistSubscriptionFetcher: Sendable {
    public typealias Store = BlocklistStore & BlocklistFeedStore

    let store: any Store
    let settings: BlocklistFeedSettings
    let policy: DomainPolicy
    let logger: Logger
    let resolver: any KeyHostResolver
    /// Called after a subscription's entries were saved (the lead wires it to the drafts).
    let onUpdated: @Sendable (_ subscriptionID: String) async -> Void
    let userAgent = "Herdwatch (+https://github.com/herdwatch) blocklist-subscription"

    public init(
        store: any Store, settings: BlocklistFeedSettings, policy: DomainPolicy = .unrestricted, logger: Logger,
        resolver: any KeyHostResolver = SystemKeyHostResolver(),
        onUpdated: @escaping @Sendable (_ subscriptionID: String) async -> Void = { _ in }
    ) {
        self.store = store
        self.settings = settings
        self.policy = policy
        self.logger = logger
        self.resolver = resolver
        self.onUpdated = onUpdated
    }

    /// Fetches `subscription` now and records the outcome.
    public func sync(_ subscription: BlocklistSubscription, now: Date = Date()) async throws -> BlocklistSyncOutcome {
        var state = try await store.fetchState(subscriptionID: subscription.id)
        state.lastAttempt = now
        let outcome:
            Result<
                (fetched: Fetched, entries: [DomainBlock]?, checkpoint: BlocklistFeedCheckpoint?)?,
                SubscriptionFetchError
            >
        do throws(SubscriptionFetchError) {
            if let fetched = try await fetch(subscription.url, token: subscription.token, state: state) {
                let read = try await read(fetched, of: subscription, last: state.checkpoint, now: now)
                outcome = .success((fetched, read.entries, read.checkpoint))
            } else {
                outcome = .success(nil)
            }
        } catch {
            outcome = .failure(error)
        }
        let result: BlocklistSyncOutcome.Result
        switch outcome {
        case .success(let read):
            if let read {
                if let entries = read.entries {
                    try await store.saveSubscriptionEntries(id: subscription.id, entries)
                    state.entryCount = entries.count
                    result = .updated(entries: entries.count)
                } else {
                    result = .unchanged
                }
                state.checkpoint = read.checkpoint ?? state.checkpoint
                state.etag = read.fetched.etag
                state.lastModified = read.fetched.lastModified
            } else {
                result = .unchanged
            }
            state.lastSuccess = now
            state.lastError = nil
        case .failure(let error):
            state.lastError = error.message
            result = error.rejected ? .rejected(error.message) : .failed(error.message)
            logger.warning(
                "blocklist subscription refused or failed; its entries stay as they were",
                metadata: [
                    "subscription.id": "\(subscription.id)", "error": "\(error.message)",
                    "blocklist.rejection": "\(error.reason ?? "fetch")",
                ])
        }
        try await store.saveFetchState(state)
        if case .updated(let count) = result {
            logger.info(
                "blocklist subscription fetched",
                metadata: ["subscription.id": "\(subscription.id)", "blocklist.entries": "\(count)"])
            await onUpdated(subscription.id)
        }
        return BlocklistSyncOutcome(subscription: subscription, state: state, result: result)
    }

    struct Fetched {
        var body: Data
        var etag: String?
        var lastModified: String?
    }

    struct SubscriptionFetchError: Error {
        var message: String
        /// The verifier's reason, for a refusal of what was fetched.
        var reason: String?
        var rejected: Bool { reason != nil }

        init(_ message: String) {
            self.message = message
        }

        init(_ rejection: BlocklistFeedRejection) {
            message = rejection.description
            reason = rejection.reason.rawValue
        }

        init(list error: BlocklistError) {
            message = "the list cannot be read: \(error)"
            reason = "list"
        }
    }

    /// The verified, parsed entries (nil: the same snapshot again) and the checkpoint to keep.
    private func read(
        _ fetched: Fetched, of subscription: BlocklistSubscription, last: BlocklistFeedCheckpoint?, now: Date
    ) async throws(SubscriptionFetchError) -> (entries: [DomainBlock]?, checkpoint: BlocklistFeedCheckpoint?) {
        let provenance = BlockProvenance(origin: .subscription(subscription.id), at: now)
        let isEnvelope = (try? SignedEnvelope(decoding: fetched.body)) != nil
        if !subscription.publicKeys.isEmpty || isEnvelope {
            if isEnvelope {
                let snapshot: BlocklistSnapshot
                do throws(BlocklistFeedRejection) {
                    snapshot = try BlocklistFeedVerifier.snapshot(
                        fetched.body, trustedKeys: subscription.publicKeys.isEmpty ? [] : subscription.publicKeys,
                        last: last, now: now, provenance: provenance)
                } catch  where error.reason == .replay && error.message.hasSuffix("already accepted") {
                    return (nil, last)
                } catch {
                    throw SubscriptionFetchError(error)
                }
                var entries: [DomainBlock] = []
                for var entry in snapshot.entries {
                    guard let domain = try? policy.validate(entry.domain) else { continue }
                    entry.domain = domain
                    entries.append(entry)
                }
                return (entries, snapshot.checkpoint)
            }
            let signatureURL = subscription.url + ".sig"
            guard let signature = try await fetch(signatureURL, token: subscription.token, state: nil) else {
                throw SubscriptionFetchError("\(signatureURL) answered 304 to an unconditional request")
            }
            let verified: DetachedSignature
            do throws(BlocklistFeedRejection) {
                verified = try BlocklistFeedVerifier.detached(
                    file: fetched.body, signature: signature.body, trustedKeys: subscription.publicKeys, last: last,
                    now: now)
            } catch  where error.reason == .replay && error.message.hasSuffix("already accepted") {
                return (nil, last)
            } catch {
                throw SubscriptionFetchError(error)
            }
            return (try parse(fetched.body, of: subscription, provenance: provenance), verified.checkpoint)
        }
        return (try parse(fetched.body, of: subscription, provenance: provenance), nil)
    }

    private func parse(_ body: Data, of subscription: BlocklistSubscription, provenance: BlockProvenance)
        throws(SubscriptionFetchError) -> [DomainBlock]
    {
        guard let text = String(data: body, encoding: .utf8) else {
            throw SubscriptionFetchError("the list is not UTF-8 text; check the subscription's URL and format")
        }
        do throws(BlocklistError) {
            let list = try BlocklistImport(
                parsing: text, format: subscription.format, policy: policy, provenance: provenance)
            if !list.rejections.isEmpty {
                logger.notice(
                    "rows of a subscribed list were refused; the others were kept",
                    metadata: [
                        "subscription.id": "\(subscription.id)", "blocklist.refused": "\(list.rejections.count)",
                        "blocklist.first_refusal": "\(list.rejections[0])",
                    ])
            }
            return list.entries
        } catch {
            throw SubscriptionFetchError(list: error)
        }
    }

    /// GETs `url` under one deadline; nil on 304.
    private func fetch(_ url: String, token: String?, state: BlocklistFetchState?) async throws(SubscriptionFetchError)
        -> Fetched?
    {
        let limit = Duration.milliseconds(Int64(settings.fetchTimeout * 1000))
        let outcome = await withTaskGroup(of: Result<Fetched?, SubscriptionFetchError>?.self) { group in
            group.addTask {
                do throws(SubscriptionFetchError) {
                    return .success(try await self.download(url, token: token, state: state))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: limit)
                    return .failure(
                        SubscriptionFetchError(
                            "\(url) did not answer within \(Int(settings.fetchTimeout)) s (blocklist.fetchTimeoutSeconds)"
                        ))
                } catch {
                    return nil
                }
            }
            var first: Result<Fetched?, SubscriptionFetchError>?
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .failure(SubscriptionFetchError("the fetch of \(url) was cancelled"))
        }
        return try outcome.get()
    }

    private func download(_ url: String, token: String?, state: BlocklistFetchState?)
        async throws(SubscriptionFetchError)
        -> Fetched?
    {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            let host = parsed.host, !host.isEmpty
        else { throw SubscriptionFetchError("\(url) is not an http(s) URL; correct the subscription") }
        let address: IPAddress
        do {
            address = try await AddressPolicy.address(
                for: host, resolver: resolver, allowPrivate: settings.allowPrivateAddresses)
        } catch {
            throw SubscriptionFetchError("\(url): \(error.message.replacingOccurrences(of: "key's ", with: "list's "))")
        }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: userAgent)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let etag = state?.etag { request.headers.add(name: "If-None-Match", value: etag) }
        if let lastModified = state?.lastModified {
            request.headers.add(name: "If-Modified-Since", value: lastModified)
        }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        if IPAddress(host) == nil { configuration.dnsOverride = [host: address.description] }
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        defer { client.shutdown { _ in } }
        let maxBytes = settings.fetchMaxBytes
        do {
            let response = try await client.execute(
                request, timeout: .milliseconds(Int64(settings.fetchTimeout * 1000)))
            switch response.status.code {
            case 200:
                break
            case 304 where state != nil:
                return nil
            case 300..<400:
                let location = response.headers.first(name: "Location") ?? "nowhere"
                throw SubscriptionFetchError(
                    "\(url) redirects (\(response.status.code)) to \(location); redirects are not followed, "
                        + "so update the subscription's URL if the move is genuine")
            case 401, 403:
                throw SubscriptionFetchError(
                    "\(url) answered \(response.status.code): the publisher wants a token, or refused ours")
            default:
                throw SubscriptionFetchError("\(url) answered \(response.status.code)")
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBytes {
                throw SubscriptionFetchError("\(url) is larger than \(maxBytes) bytes (blocklist.fetchMaxBytes)")
            }
            let body = try await response.body.collect(upTo: maxBytes)
            return Fetched(
                body: Data(body.readableBytesView), etag: response.headers.first(name: "ETag"),
                lastModified: response.headers.first(name: "Last-Modified"))
        } catch let error as SubscriptionFetchError {
            throw error
        } catch is NIOTooManyBytesError {
            throw SubscriptionFetchError("\(url) is larger than \(maxBytes) bytes (blocklist.fetchMaxBytes)")
        } catch let error as HTTPClientError {
            throw SubscriptionFetchError("cannot fetch \(url): \(error.shortDescription)")
        } catch {
            throw SubscriptionFetchError("cannot fetch \(url): \(type(of: error))")
        }
    }
}

/// Fetches each enabled subscription every its own `interval`, and on demand (`sync(id:)`); one fetch per
/// subscription at a time.
public final class BlocklistSubscriptionService: Service, Sendable {
    let fetcher: BlocklistSubscriptionFetcher
    let checkInterval: Duration
    /// Subscriptions being fetched, with the callers waiting for that fetch's outcome.
    private let running = Mutex<[String: [CheckedContinuation<Result<BlocklistSyncOutcome, any Error>, Never>]]>([:])

    public init(fetcher: BlocklistSubscriptionFetcher, checkInterval: Duration) {
        self.fetcher = fetcher
        self.checkInterval = checkInterval
    }

    public func run() async throws {
        await repeatUntilShutdown(every: checkInterval) { await self.syncDue(now: Date()) }
    }

    /// Fetches every enabled subscription whose last attempt is older than its interval.
    func syncDue(now: Date) async {
        do {
            for subscription in try await fetcher.store.subscriptions() where subscription.enabled {
                let state = try await fetcher.store.fetchState(subscriptionID: subscription.id)
                if let attempt = state.lastAttempt, now.timeIntervalSince(attempt) < subscription.interval { continue }
                _ = try await sync(subscription, now: now)
            }
        } catch {
            fetcher.logger.error(
                "cannot read the blocklist subscriptions; retrying at the next check", metadata: ["error": "\(error)"])
        }
    }

    /// Fetches subscription `id` now; nil when there is none. When a fetch of it is under way, waits for that
    /// one and answers its outcome.
    public func sync(id: String) async throws -> BlocklistSyncOutcome? {
        guard let subscription = try await fetcher.store.subscription(id: id) else { return nil }
        return try await sync(subscription)
    }

    private func sync(_ subscription: BlocklistSubscription, now: Date = Date()) async throws -> BlocklistSyncOutcome {
        let id = subscription.id
        let leads = running.withLock { running in
            guard running[id] == nil else { return false }
            running[id] = []
            return true
        }
        guard leads else {
            // A fetch of it is under way: share its outcome rather than fetch twice.
            return try await withCheckedContinuation { continuation in
                let finished = running.withLock { running -> Bool in
                    guard running[id] != nil else { return true }
                    running[id]!.append(continuation)
                    return false
                }
                if finished { continuation.resume(returning: .failure(CancellationError())) }
            }.get()
        }
        let outcome: Result<BlocklistSyncOutcome, any Error>
        do {
            outcome = .success(try await fetcher.sync(subscription, now: now))
        } catch {
            outcome = .failure(error)
        }
        let waiters = running.withLock { $0.removeValue(forKey: id) ?? [] }
        for waiter in waiters { waiter.resume(returning: outcome) }
        return try outcome.get()
    }

    /// Every subscription with its fetch state.
    public func states() async throws -> [(subscription: BlocklistSubscription, state: BlocklistFetchState)] {
        var result: [(subscription: BlocklistSubscription, state: BlocklistFetchState)] = []
        for subscription in try await fetcher.store.subscriptions() {
            result.append((subscription, try await fetcher.store.fetchState(subscriptionID: subscription.id)))
        }
        return result
    }
}
