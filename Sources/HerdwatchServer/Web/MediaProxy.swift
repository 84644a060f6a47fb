import ActivityPub
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches a case's media for the workbench, so a moderator's browser never contacts the sender's servers (no
/// tracking pixel, no IP address leak). Only addresses found in a stored activity are fetched (this is no open
/// proxy), under the same address rules as key fetches (public addresses only, connected to the address that was
/// checked, no redirects), within a size and time limit, and only raster images whose bytes match their type.
struct MediaProxy: Sendable {
    let client: HTTPClient
    let resolver: any KeyHostResolver
    let allowPrivateAddresses: Bool
    let maxBytes: Int
    let timeout: TimeAmount

    init(
        client: HTTPClient, resolver: any KeyHostResolver = SystemKeyHostResolver(), allowPrivateAddresses: Bool,
        maxBytes: Int = 8 << 20, timeout: TimeAmount = .seconds(10)
    ) {
        self.client = client
        self.resolver = resolver
        self.allowPrivateAddresses = allowPrivateAddresses
        self.maxBytes = maxBytes
        self.timeout = timeout
    }

    struct Image: Sendable {
        var contentType: String
        var bytes: ByteBuffer
    }

    struct Refusal: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// Image types shown, by their first bytes. SVG is never shown: it is a document that can carry script.
    static func imageType(of bytes: ByteBuffer) -> String? {
        let head = bytes.getBytes(at: bytes.readerIndex, length: min(16, bytes.readableBytes)) ?? []
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.count && Array(head[offset..<offset + prefix.count]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        if starts(Array("ftypavif".utf8), at: 4) { return "image/avif" }
        return nil
    }

    func fetch(_ address: String) async -> Result<Image, Refusal> {
        guard let checkedHost = Hostname.host(ofID: address), let url = URL(string: address), let host = url.host,
            !host.isEmpty, Hostname.normalize(host) == checkedHost
        else { return .failure(Refusal(description: "the media address is not a plain http(s) URL")) }
        let connectTo: IPAddress
        do {
            connectTo = try await AddressPolicy.address(for: host, resolver: resolver, allowPrivate: allowPrivateAddresses)
        } catch {
            return .failure(Refusal(description: "the media's host is refused: \(error.message)"))
        }
        var request = HTTPClientRequest(url: address)
        request.method = .GET
        request.headers.add(name: "Accept", value: "image/png, image/jpeg, image/gif, image/webp, image/avif")
        request.headers.add(name: "User-Agent", value: "Herdwatch media preview")
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        if IPAddress(host) == nil { configuration.dnsOverride = [host: connectTo.description] }
        let fetchClient = HTTPClient(eventLoopGroup: client.eventLoopGroup, configuration: configuration)
        defer { Task { try? await fetchClient.shutdown() } }
        do {
            let response = try await fetchClient.execute(request, timeout: timeout)
            guard response.status == .ok else {
                return .failure(Refusal(description: "the media's server answered \(response.status.code)"))
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBytes {
                return .failure(Refusal(description: "the media is larger than \(maxBytes) bytes"))
            }
            let body = try await response.body.collect(upTo: maxBytes)
            guard let type = Self.imageType(of: body) else {
                return .failure(Refusal(description: "the media is not a PNG, JPEG, GIF, WebP or AVIF image"))
            }
            return .success(Image(contentType: type, bytes: body))
        } catch is NIOTooManyBytesError {
            return .failure(Refusal(description: "the media is larger than \(maxBytes) bytes"))
        } catch {
            return .failure(Refusal(description: "cannot fetch the media"))
        }
    }
}
