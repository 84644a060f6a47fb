import ActivityPub
public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Fetches actor keys over HTTP, with a cache, timeouts, a size limit, and refusal of non-public addresses.
///
/// Successful fetches are cached for `cacheLifetime`; failures for a minute, so a flood of deliveries with
/// an unreachable key does not become a flood of fetches.
public final class HTTPKeyFetcher: ActorKeyResolver {
    private let client: HTTPClient
    private let configuration: KeyFetchConfiguration
    private let userAgent: String
    private let cache = Mutex<[String: Entry]>([:])
    private static let failureLifetime: TimeInterval = 60
    private static let cacheCapacity = 50_000

    private enum Entry {
        case key(ActorKey)
        case failure(KeyFetchError, at: Date)
    }

    public init(client: HTTPClient, configuration: KeyFetchConfiguration, userAgent: String = "Herdwatch (+https://github.com/herdwatch)") {
        self.client = client
        self.configuration = configuration
        self.userAgent = userAgent
    }

    public func key(for keyID: String, refresh: Bool) async throws(KeyFetchError) -> ActorKey {
        let now = Date()
        if !refresh, let entry = cache.withLock({ $0[keyID] }) {
            switch entry {
            case .key(let key) where now.timeIntervalSince(key.fetchedAt) < configuration.cacheLifetime:
                return key
            case .failure(let error, let at) where now.timeIntervalSince(at) < Self.failureLifetime:
                throw error
            default:
                break
            }
        }
        do {
            let key = try await fetch(keyID, now: now)
            store(keyID, .key(key))
            return key
        } catch {
            store(keyID, .failure(error, at: now))
            throw error
        }
    }

    private func store(_ keyID: String, _ entry: Entry) {
        cache.withLock { cache in
            if cache.count >= Self.cacheCapacity { cache.removeAll(keepingCapacity: true) }
            cache[keyID] = entry
        }
    }

    private func fetch(_ keyID: String, now: Date) async throws(KeyFetchError) -> ActorKey {
        guard let url = URL(string: keyID), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty
        else {
            throw KeyFetchError(.badKeyID, "the signature's keyId is not an http(s) URL")
        }
        if !configuration.allowPrivateAddresses, let refusal = AddressPolicy.refusal(forHost: host) {
            throw KeyFetchError(.forbiddenAddress, "\(refusal); set keys.allowPrivateAddresses only on closed networks")
        }
        // The fragment names the key inside the actor document; it is not sent.
        var request = HTTPClientRequest(url: keyID.split(separator: "#", maxSplits: 1).first.map(String.init) ?? keyID)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"")
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
        let body: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.timeout * 1000)))
            guard response.status == .ok else {
                throw KeyFetchError(.unreachable, "the key's server answered \(response.status.code)")
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > configuration.maxBytes {
                throw KeyFetchError(.tooLarge, "the key document is larger than \(configuration.maxBytes) bytes")
            }
            body = try await response.body.collect(upTo: configuration.maxBytes)
        } catch let error as KeyFetchError {
            throw error
        } catch is NIOTooManyBytesError {
            throw KeyFetchError(.tooLarge, "the key document is larger than \(configuration.maxBytes) bytes")
        } catch {
            throw KeyFetchError(.unreachable, "cannot fetch the key: \(Self.describe(error))")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(Array(buffer: body))
        } catch {
            throw KeyFetchError(.badDocument, "the key document is not JSON: \(error.description)")
        }
        return try ActorKey.read(document, keyID: keyID, fetchedAt: now)
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            return error.shortDescription
        }
        return String(describing: type(of: error))
    }
}
