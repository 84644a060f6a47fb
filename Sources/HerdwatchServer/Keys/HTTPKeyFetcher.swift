import ActivityPub
public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Fetches actor keys over HTTP, so that a sender can neither stall, amplify nor poison the fetching.
///
/// - Stall: one deadline (`timeout`) covers the whole fetch, from resolving the host to the last byte.
/// - Amplify: concurrent requests for one key share one fetch, and a key is fetched at most once per
///   `refetchInterval`; a refresh asked for sooner (a bad signature under a cached key) gets the cached key.
/// - Poison: a failed fetch never replaces a key that was fetched before; only a new key does. Failures without
///   a key are remembered for a minute, so a flood of deliveries with an unreachable key is one fetch.
/// - Reach inside: the host is resolved once, every address must be public, and the connection goes to the
///   checked address (TLS still checks the certificate for the name); redirects are not followed.
///
/// The cache is bounded in bytes (`cacheBytes`) and keeps only the key and a compact actor profile.
public final class HTTPKeyFetcher: ActorKeyResolver {
    private let client: HTTPClient
    private let configuration: KeyFetchConfiguration
    private let userAgent: String
    private let resolver: any KeyHostResolver
    private let state: Mutex<State>
    private static let failureLifetime: TimeInterval = 60

    /// What is known about one keyId.
    private struct Entry {
        /// The last key fetched, kept until a fetch brings a new one.
        var key: ActorKey?
        /// Why the last fetch failed, when it did.
        var failure: KeyFetchError?
        var attemptedAt: Date
        var bytes: Int
    }

    private struct State {
        var cache: ByteBoundedCache<Entry>
        /// Fetches under way, with the callers waiting for them.
        var inFlight: [String: [CheckedContinuation<Result<ActorKey, KeyFetchError>, Never>]] = [:]
    }

    /// - Parameters:
    ///   - client: its event loop group runs the fetches; each fetch uses a short-lived client of its own, which
    ///     connects to the checked address and follows no redirect.
    ///   - resolver: resolves key hosts (tests inject one).
    public init(
        client: HTTPClient, configuration: KeyFetchConfiguration,
        userAgent: String = "Herdwatch (+https://github.com/herdwatch)",
        resolver: any KeyHostResolver = SystemKeyHostResolver()
    ) {
        self.client = client
        self.configuration = configuration
        self.userAgent = userAgent
        self.resolver = resolver
        state = Mutex(State(cache: ByteBoundedCache(capacity: configuration.cacheBytes)))
    }

    /// The bytes the cache holds now, as it counts them.
    var cachedBytes: Int { state.withLock { $0.cache.totalBytes } }

    public func key(for keyID: String, refresh: Bool) async throws(KeyFetchError) -> ActorKey {
        let now = Date()
        enum Decision {
            case answer(Result<ActorKey, KeyFetchError>)
            case fetch
            case wait
        }
        let decision = state.withLock { state -> Decision in
            if let answer = cachedAnswer(state.cache.value(for: keyID), refresh: refresh, now: now) {
                return .answer(answer)
            }
            if state.inFlight[keyID] != nil { return .wait }
            state.inFlight[keyID] = []
            return .fetch
        }
        switch decision {
        case .answer(let result):
            return try result.get()
        case .wait:
            return try await waitForFetch(of: keyID).get()
        case .fetch:
            return try await fetchAndShare(keyID, now: now).get()
        }
    }

    /// The answer the cache gives without fetching, or nil when the key should be fetched.
    private func cachedAnswer(_ entry: Entry?, refresh: Bool, now: Date) -> Result<ActorKey, KeyFetchError>? {
        guard let entry else { return nil }
        let sinceAttempt = now.timeIntervalSince(entry.attemptedAt)
        if let key = entry.key {
            let fresh = now.timeIntervalSince(key.fetchedAt) < configuration.cacheLifetime
            if fresh && !refresh { return .success(key) }
            return sinceAttempt < configuration.refetchInterval ? .success(key) : nil
        }
        if let failure = entry.failure, sinceAttempt < Self.failureLifetime { return .failure(failure) }
        return nil
    }

    private func waitForFetch(of keyID: String) async -> Result<ActorKey, KeyFetchError> {
        await withCheckedContinuation { continuation in
            let finished = state.withLock { state -> Result<ActorKey, KeyFetchError>? in
                guard state.inFlight[keyID] != nil else {
                    // The fetch ended between the decision and now: its outcome is in the cache.
                    let entry = state.cache.value(for: keyID)
                    return entry?.key.map { .success($0) }
                        ?? .failure(
                            entry?.failure
                                ?? KeyFetchError(.unreachable, "the key fetch was abandoned; the sender may retry"))
                }
                state.inFlight[keyID]?.append(continuation)
                return nil
            }
            if let finished { continuation.resume(returning: finished) }
        }
    }

    /// Fetches `keyID`, records the outcome, and hands it to every caller that waited for it.
    private func fetchAndShare(_ keyID: String, now: Date) async -> Result<ActorKey, KeyFetchError> {
        var result: Result<ActorKey, KeyFetchError>
        var fetchedBytes = 0
        do throws(KeyFetchError) {
            let fetched = try await fetchWithinDeadline(keyID, now: now)
            let (actor, actorBytes) = fetched.actor?.compacted() ?? (nil, 0)
            result = .success(
                ActorKey(
                    keyID: fetched.keyID, owner: fetched.owner, publicKeyPEM: fetched.publicKeyPEM, actor: actor,
                    fetchedAt: fetched.fetchedAt))
            fetchedBytes =
                keyID.utf8.count + fetched.owner.utf8.count + fetched.publicKeyPEM.utf8.count + actorBytes + 128
        } catch {
            result = .failure(error)
        }
        let cancelled = Task.isCancelled
        let waiters = state.withLock { state in
            let previous = state.cache.value(for: keyID)
            switch result {
            case .success(let key):
                let entry = Entry(key: key, failure: nil, attemptedAt: now, bytes: fetchedBytes)
                state.cache.set(entry, bytes: fetchedBytes, for: keyID)
            case .failure(let error) where !cancelled:
                if let kept = previous?.key {
                    // Keep the key that worked: a server that is down or rate-limits us must not lock its users out.
                    result = .success(kept)
                }
                let bytes = previous?.bytes ?? keyID.utf8.count + error.message.utf8.count + 128
                let entry = Entry(key: previous?.key, failure: error, attemptedAt: now, bytes: bytes)
                state.cache.set(entry, bytes: bytes, for: keyID)
            case .failure:
                break  // This caller went away; its aborted fetch says nothing about the key.
            }
            return state.inFlight.removeValue(forKey: keyID) ?? []
        }
        for waiter in waiters { waiter.resume(returning: result) }
        return result
    }

    /// Runs the fetch under one deadline that covers resolution, connection, headers and body.
    private func fetchWithinDeadline(_ keyID: String, now: Date) async throws(KeyFetchError) -> ActorKey {
        let limit = Duration.milliseconds(Int64(configuration.timeout * 1000))
        let timedOut = KeyFetchError(
            .unreachable,
            "the key's server did not deliver the key within \(configuration.timeout) s (keys.fetchTimeoutSeconds)")
        let outcome = await withTaskGroup(of: Result<ActorKey, KeyFetchError>?.self) { group in
            group.addTask {
                do throws(KeyFetchError) {
                    return .success(try await self.fetch(keyID, now: now))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: limit)
                    return .failure(timedOut)
                } catch {
                    return nil  // Cancelled: the fetch ended first.
                }
            }
            var first: Result<ActorKey, KeyFetchError>?
            while first == nil, let next = await group.next() {
                first = next
            }
            group.cancelAll()
            return first ?? .failure(timedOut)
        }
        return try outcome.get()
    }

    private func fetch(_ keyID: String, now: Date) async throws(KeyFetchError) -> ActorKey {
        // Only plainly written ids (no userinfo, backslash or percent-encoded host), on which Foundation's URL and
        // the URL Standard read the same host: the host checked and connected to is the host the key is for.
        guard let checkedHost = Hostname.host(ofID: keyID), let url = URL(string: keyID), let host = url.host,
            !host.isEmpty, Hostname.normalize(host) == checkedHost
        else {
            throw KeyFetchError(
                .badKeyID, "the signature's keyId is not a plain http(s) URL (no userinfo, backslash or escaped host)")
        }
        let address = try await AddressPolicy.address(
            for: host, resolver: resolver, allowPrivate: configuration.allowPrivateAddresses)
        // The fragment names the key inside the actor document; it is not sent.
        var request = HTTPClientRequest(url: keyID.split(separator: "#", maxSplits: 1).first.map(String.init) ?? keyID)
        request.method = .GET
        request.headers.add(
            name: "Accept",
            value: "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"")
        request.headers.add(name: "User-Agent", value: userAgent)
        if let signer = configuration.signer {
            // Signed like Mastodon's own fetches: `(request-target) host date accept`.
            var signed = SignedRequest(
                method: "GET", path: url.path.isEmpty ? "/" : url.path + (url.query.map { "?" + $0 } ?? ""),
                headers: ["Host": url.port.map { "\(host):\($0)" } ?? host, "Accept": "application/activity+json"])
            do {
                try CavageSigner.sign(
                    &signed, keyId: signer.keyID, privateKey: signer.privateKey,
                    headers: ["(request-target)", "host", "date", "accept"])
            } catch {
                throw KeyFetchError(.badKeyID, "cannot sign the key fetch: \(error.message)")
            }
            request.headers.replaceOrAdd(name: "Accept", value: "application/activity+json")
            for name in ["Host", "Date", "Signature"] {
                if let value = signed.headers.combined(name) { request.headers.replaceOrAdd(name: name, value: value) }
            }
        }
        var pinned = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        if IPAddress(host) == nil {
            // Connect to the address that was checked; TLS still verifies the certificate for `host`.
            pinned.dnsOverride = [host: address.description]
        }
        let fetchClient = HTTPClient(eventLoopGroup: client.eventLoopGroup, configuration: pinned)
        let downloaded = await download(request, with: fetchClient)
        try? await fetchClient.shutdown()
        let body = try downloaded.get()
        let document: JSONValue
        do {
            document = try JSONValue.parse(Array(buffer: body))
        } catch {
            throw KeyFetchError(.badDocument, "the key document is not JSON: \(error.description)")
        }
        return try ActorKey.read(document, keyID: keyID, fetchedAt: now)
    }

    private func download(_ request: HTTPClientRequest, with client: HTTPClient) async -> Result<
        ByteBuffer, KeyFetchError
    > {
        do {
            // The deadline is enforced around the whole fetch; this one only bounds a request that outlives it.
            let response = try await client.execute(
                request, timeout: .milliseconds(Int64(configuration.timeout * 1000)))
            guard response.status == .ok else {
                return .failure(KeyFetchError(.unreachable, "the key's server answered \(response.status.code)"))
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init),
                length > configuration.maxBytes
            {
                return .failure(
                    KeyFetchError(.tooLarge, "the key document is larger than \(configuration.maxBytes) bytes"))
            }
            return .success(try await response.body.collect(upTo: configuration.maxBytes))
        } catch is NIOTooManyBytesError {
            return .failure(KeyFetchError(.tooLarge, "the key document is larger than \(configuration.maxBytes) bytes"))
        } catch {
            return .failure(KeyFetchError(.unreachable, "cannot fetch the key: \(Self.describe(error))"))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            return error.shortDescription
        }
        return String(describing: type(of: error))
    }
}
