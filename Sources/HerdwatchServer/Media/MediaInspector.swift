import ActivityPub
public import AsyncHTTPClient
import Foundation
public import Intake
import MediaDecoding
import NIOCore
import Synchronization

/// Reads the QR codes in a post's images, for `media.inspect`.
///
/// Images are fetched by `MediaProxy`, the workbench's guarded fetcher (public addresses only, connected to the
/// address checked, no redirects, a size limit), all of one post at once, and the whole inspection has one
/// deadline (`MediaInspectionSettings.timeout`): a post whose images are slow is assessed with what was read in
/// time. Decoding runs on the server's thread pool, never on an event loop. What each URL gave (codes, or
/// nothing for a failure) is cached, bounded in bytes: a retried delivery fetches nothing again.
public final class MediaInspector: Sendable {
    let proxy: MediaProxy
    let settings: MediaInspectionSettings
    let work: any BlockingWork
    private let cache: Mutex<ByteBoundedCache<[String]>>

    /// - Parameter work: where images are decoded: the server's thread pool.
    public init(
        client: HTTPClient, settings: MediaInspectionSettings, work: any BlockingWork,
        resolver: any KeyHostResolver = SystemKeyHostResolver()
    ) {
        self.proxy = MediaProxy(
            client: client, resolver: resolver, allowPrivateAddresses: settings.allowPrivateAddresses,
            maxBytes: settings.maxBytes, timeout: .milliseconds(Int64(settings.timeout * 1000)))
        self.settings = settings
        self.work = work
        self.cache = Mutex(ByteBoundedCache(capacity: settings.cacheBytes))
    }

    /// The addresses of the images worth reading in `activity`'s post: PNG and JPEG (or images of no stated
    /// type), the first `maxImages`.
    func imageURLs(in activity: Activity) -> [String] {
        let post: ActivityObject?
        switch activity.object {
        case .object(let object)?: post = object
        case .activity(let inner)?:
            if case .object(let object)? = inner.object { post = object } else { post = nil }
        default: post = nil
        }
        guard let post else { return [] }
        let readable: Set<String> = ["image/png", "image/jpeg", "image/jpg"]
        let urls = post.attachments.filter { attachment in
            guard attachment.isVisual else { return false }
            guard let type = attachment.mediaType?.lowercased() else {
                return attachment.type == "Image" || attachment.type == "Document"
            }
            return readable.contains(type)
        }.compactMap(\.url)
        return Array(urls.prefix(settings.maxImages))
    }

    /// The texts of the QR codes in the images at `urls`, in their order; what did not arrive within the
    /// deadline is left out (and not cached, so a later delivery tries again).
    func codes(in urls: [String]) async -> [String] {
        var found: [Int: [String]] = [:]
        var missing: [(Int, String)] = []
        cache.withLock { cache in
            for (index, url) in urls.enumerated() {
                if let cached = cache.value(for: url) { found[index] = cached } else { missing.append((index, url)) }
            }
        }
        if !missing.isEmpty {
            let limit = Duration.milliseconds(Int64(settings.timeout * 1000))
            await withTaskGroup(of: (Int, String, [String])?.self) { group in
                for (index, url) in missing {
                    group.addTask { (index, url, await self.read(url)) }
                }
                group.addTask {
                    try? await Task.sleep(for: limit)
                    return nil
                }
                while let next = await group.next() {
                    guard let (index, url, codes) = next else { break }  // The deadline passed.
                    found[index] = codes
                    cache.withLock {
                        $0.set(codes, bytes: url.utf8.count + codes.reduce(64) { $0 + $1.utf8.count }, for: url)
                    }
                    if found.count == urls.count { break }
                }
                group.cancelAll()
            }
        }
        return urls.indices.flatMap { found[$0] ?? [] }
    }

    private func read(_ url: String) async -> [String] {
        guard case .success(let image) = await proxy.fetch(url) else { return [] }
        let bytes = Array(buffer: image.bytes)
        let maxPixels = settings.maxPixels
        return (try? await work.run { (try? QRCodeReader.texts(in: bytes, maxPixels: maxPixels)) ?? [] }) ?? []
    }
}
