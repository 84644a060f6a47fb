import Access
import Blocklists
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Mastodon's admin API for domain blocks, so FediBlockHole, Mastodon.py and FediseerGUI work against Herdwatch
/// unchanged (shapes, status codes and quirks in shared/reference/blocklists.md):
/// - `GET /api/v1/admin/domain_blocks[/ID]`, `POST /api/v1/admin/measures`: `readBlocklist` (`admin:read` or
///   `admin:read:domain_blocks`);
/// - `POST /api/v1/admin/domain_blocks`, `PUT|DELETE /api/v1/admin/domain_blocks/ID`: `writeBlocklist`
///   (`admin:write` or `admin:write:domain_blocks`);
/// - `GET /api/v1/instance/domain_blocks`: open, Mastodon's public list (obfuscated domains with their digest);
/// - `GET /herdwatch/blocklist.csv?format=mastodon|fediblockhole|gotosocial|plain`: open, the applied list as a
///   file those tools read (no private comments).
///
/// Ids are `AppliedBlocklist.id(of:)`, strings in JSON as Mastodon's. Every change refreshes the applied list, so
/// the gate acts on it at once.
struct AdminDomainBlockRoutes: Sendable {
    typealias Context = HerdwatchRequestContext

    let blocklist: AppliedBlocklist
    let bodies: BodyReader

    private static let link = HTTPField.Name("Link")!
    private static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let defaultLimit = 100
    static let maxLimit = 200

    func register(on router: Router<Context>, requiring: PermissionGuard) {
        requiring(router.group("/api/v1/admin/domain_blocks"), .readBlocklist)
            .get(use: list)
            .get(":id", use: show)
        requiring(router.group("/api/v1/admin/domain_blocks"), .writeBlocklist)
            .post(use: create)
            .put(":id", use: update)
            .delete(":id", use: delete)
        requiring(router.group("/api/v1/admin/measures"), .readBlocklist)
            .post(use: measures)
        router.get("/api/v1/instance/domain_blocks", use: publicList)
        router.get("/herdwatch/blocklist.csv", use: export)
    }

    /// The published file formats by their `format` parameter.
    static let exportFormats: [String: BlocklistFormat] = [
        "mastodon": .mastodonCSV, "fediblockhole": .fediBlockHoleCSV, "gotosocial": .goToSocialCSV, "plain": .plainText,
    ]

    @Sendable func export(_ request: Request, context: Context) async -> Response {
        let name = request.uri.queryParameters["format"].map(String.init) ?? "mastodon"
        guard let format = Self.exportFormats[name] else {
            return JSONResponse.error(
                .badRequest, code: "bad_format",
                "format=\(name) is not one of \(Self.exportFormats.keys.sorted().joined(separator: ", "))")
        }
        let text = BlocklistExport.render(blocklist.snapshot.index.entries, as: format)
        return Response(
            status: .ok, headers: [.contentType: "\(format.mediaType); charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: - Reading

    @Sendable func list(_ request: Request, context: Context) async -> Response {
        let query = request.uri.queryParameters
        var limit = Self.defaultLimit
        if let text = query["limit"] {
            guard let value = Int(text), value > 0 else {
                return Self.unprocessable("limit must be a whole number from 1 to \(Self.maxLimit)")
            }
            limit = min(value, Self.maxLimit)
        }
        var bounds: [String: Int64] = [:]
        for name in ["max_id", "since_id", "min_id"] {
            guard let text = query[Substring(name)].map(String.init), !text.isEmpty else { continue }
            guard let id = Int64(text) else { return Self.unprocessable("\(name) must be an id from a listed block") }
            bounds[name] = id
        }
        let entries = blocklist.snapshot.byID
        // `entries` is sorted by id, highest first: find the range strictly between the bounds.
        let below = bounds["max_id"].map { maxID in Self.firstIndex(in: entries) { $0.id < maxID } } ?? 0
        let above =
            (bounds["min_id"] ?? bounds["since_id"]).map { minID in Self.firstIndex(in: entries) { $0.id <= minID } }
            ?? entries.count
        let page: ArraySlice<(id: Int64, block: DomainBlock)>
        if below >= above {
            page = []
        } else if bounds["min_id"] != nil {
            // min_id pages forward: the entries just above min_id, still listed highest first.
            page = entries[max(below, above - limit)..<above]
        } else {
            page = entries[below..<min(above, below + limit)]
        }
        var response = JSONResponse.make(page.map { Self.entity(id: $0.id, $0.block) })
        var links: [String] = []
        if let last = page.last, page.count == limit {
            links.append("<\(Self.url(request, limit: limit, "max_id", last.id))>; rel=\"next\"")
        }
        if let first = page.first {
            links.append("<\(Self.url(request, limit: limit, "min_id", first.id))>; rel=\"prev\"")
        }
        if !links.isEmpty { response.headers[Self.link] = links.joined(separator: ", ") }
        return response
    }

    /// The first index of `entries` where `isPast` holds, `isPast` being false and then true along them.
    private static func firstIndex(
        in entries: [(id: Int64, block: DomainBlock)], where isPast: ((id: Int64, block: DomainBlock)) -> Bool
    ) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if isPast(entries[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    @Sendable func show(_ request: Request, context: Context) async -> Response {
        switch find(context) {
        case .success(let found): JSONResponse.make(Self.entity(id: found.id, found.block))
        case .failure(let response): response
        }
    }

    @Sendable func publicList(_ request: Request, context: Context) async -> Response {
        let rank: [BlockSeverity: Int] = [.silence: 0, .suspend: 1]
        let published = blocklist.snapshot.index.entries
            .filter { $0.severity != .noop }
            .sorted { (rank[$0.severity]!, $0.domain) < (rank[$1.severity]!, $1.domain) }
        return JSONResponse.make(
            published.map {
                PublicEntity(
                    domain: $0.publicDomain, digest: $0.digest, severity: $0.severity.rawValue,
                    comment: $0.publicComment.isEmpty ? nil : $0.publicComment)
            })
    }

    @Sendable func measures(_ request: Request, context: Context) async -> Response {
        let body: Parameters
        switch await parameters(request) {
        case .success(let parsed): body = parsed
        case .failure(let response): return response
        }
        guard let keys = body.list("keys"), !keys.isEmpty else {
            return JSONResponse.error(
                .badRequest, code: "bad_request", "name the measures in `keys`, e.g. {\"keys\":[\"instance_follows\"]}")
        }
        // Herdwatch sees deliveries, not the instance's follow graph: every measure it knows is zero.
        let known: Set<String> = ["instance_follows", "instance_followers", "instance_accounts", "instance_statuses"]
        return JSONResponse.make(
            keys.filter(known.contains).map { Measure(key: $0, unit: nil, total: "0", previousTotal: "0", data: []) })
    }

    // MARK: - Changing

    @Sendable func create(_ request: Request, context: Context) async -> Response {
        let body: Parameters
        switch await parameters(request) {
        case .success(let parsed): body = parsed
        case .failure(let response): return response
        }
        guard let input = body.string("domain"), !input.trimmingCharacters(in: .whitespaces).isEmpty else {
            return Self.unprocessable("Validation failed: Domain can't be blank; send the domain to block in `domain`")
        }
        let domain: String
        do {
            domain = try blocklist.policy.validate(input)
        } catch {
            return Self.unprocessable("Validation failed: \(error.message)")
        }
        var block = DomainBlock(
            domain: domain, severity: .silence,
            provenance: BlockProvenance(origin: .person(context.actingPrincipal.displayName), at: Date()))
        if let response = apply(body, to: &block) { return response }
        let snapshot = blocklist.snapshot
        if let existing = snapshot.index.rule(for: domain),
            existing.domain == domain || !block.isStricter(than: existing)
        {
            let reason =
                existing.domain == domain
                ? "`\(domain)` is already blocked"
                : "`\(existing.domain)` already blocks `\(domain)` at least as strictly"
            return JSONResponse.make(
                Conflict(
                    error: "\(reason); change that block with PUT /api/v1/admin/domain_blocks/ID instead",
                    existingDomainBlock: Self.entity(id: AppliedBlocklist.id(of: existing.domain), existing)),
                status: .unprocessableContent)
        }
        return await save(block)
    }

    @Sendable func update(_ request: Request, context: Context) async -> Response {
        var block: DomainBlock
        switch find(context) {
        case .success(let found): block = found.block
        case .failure(let response): return response
        }
        let body: Parameters
        switch await parameters(request) {
        case .success(let parsed): body = parsed
        case .failure(let response): return response
        }
        if let response = apply(body, to: &block) { return response }
        block.provenance = BlockProvenance(origin: .person(context.actingPrincipal.displayName), at: Date())
        return await save(block)
    }

    @Sendable func delete(_ request: Request, context: Context) async -> Response {
        let block: DomainBlock
        switch find(context) {
        case .success(let found): block = found.block
        case .failure(let response): return response
        }
        do {
            try await blocklist.store.retract(
                domain: block.domain,
                provenance: BlockProvenance(
                    origin: .person(context.actingPrincipal.displayName), at: Date(),
                    note: "deleted through the admin API"))
            try await blocklist.refresh()
        } catch {
            return Self.storeFailure(error)
        }
        return JSONResponse.bytes(Array("{}".utf8))
    }

    private func save(_ block: DomainBlock) async -> Response {
        do {
            let stored = try await blocklist.store.save(block)
            try await blocklist.refresh()
            return JSONResponse.make(Self.entity(id: AppliedBlocklist.id(of: stored.domain), stored))
        } catch {
            return Self.storeFailure(error)
        }
    }

    /// Sets the fields `body` names (all but `domain`, which a block never changes); a 422 when one is invalid.
    private func apply(_ body: Parameters, to block: inout DomainBlock) -> Response? {
        if let text = body.string("severity") {
            guard let severity = BlockSeverity(rawValue: text) else {
                return Self.unprocessable("severity must be noop, silence or suspend, not `\(text)`")
            }
            block.severity = severity
        }
        for (name, path) in [
            ("reject_media", \DomainBlock.rejectMedia), ("reject_reports", \.rejectReports), ("obfuscate", \.obfuscate),
        ] {
            guard let value = body.values[name] else { continue }
            guard let flag = Parameters.bool(value) else {
                return Self.unprocessable("\(name) must be true or false")
            }
            block[keyPath: path] = flag
        }
        if let comment = body.string("private_comment") { block.privateComment = comment }
        if let comment = body.string("public_comment") { block.publicComment = comment }
        if body.values["private_comment"] is NSNull { block.privateComment = "" }
        if body.values["public_comment"] is NSNull { block.publicComment = "" }
        return nil
    }

    private func find(_ context: Context) -> Either<(id: Int64, block: DomainBlock), Response> {
        let text = context.parameters.get("id") ?? ""
        let snapshot = blocklist.snapshot
        guard let id = Int64(text), let position = snapshot.position(of: id) else {
            return .failure(
                JSONResponse.error(
                    .notFound, code: "not_found",
                    "Record not found: no domain block has the id `\(text)`; list them with GET /api/v1/admin/domain_blocks"
                ))
        }
        return .success(snapshot.byID[position])
    }

    // MARK: - Shapes

    /// Mastodon's `Admin::DomainBlock` entity.
    struct Entity: Encodable {
        var id: String
        var domain: String
        var digest: String
        var createdAt: String
        var severity: String
        var rejectMedia: Bool
        var rejectReports: Bool
        var privateComment: String
        var publicComment: String
        var obfuscate: Bool
    }

    struct PublicEntity: Encodable {
        var domain: String
        var digest: String
        var severity: String
        var comment: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(domain, forKey: .domain)
            try container.encode(digest, forKey: .digest)
            try container.encode(severity, forKey: .severity)
            try container.encode(comment, forKey: .comment)
        }

        enum CodingKeys: String, CodingKey {
            case domain, digest, severity, comment
        }
    }

    struct Conflict: Encodable {
        var error: String
        var existingDomainBlock: Entity
    }

    /// Mastodon's `Admin::Measure`.
    struct Measure: Encodable {
        var key: String
        var unit: String?
        var total: String
        var previousTotal: String
        var data: [String]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(unit, forKey: .unit)
            try container.encode(total, forKey: .total)
            try container.encode(previousTotal, forKey: .previousTotal)
            try container.encode(data, forKey: .data)
        }

        enum CodingKeys: String, CodingKey {
            case key, unit, total, previousTotal, data
        }
    }

    static func entity(id: Int64, _ block: DomainBlock) -> Entity {
        Entity(
            id: String(id), domain: block.domain, digest: block.digest,
            createdAt: (block.provenance?.at ?? Date(timeIntervalSince1970: 0)).formatted(createdAtFormat),
            severity: block.severity.rawValue, rejectMedia: block.rejectMedia, rejectReports: block.rejectReports,
            privateComment: block.privateComment, publicComment: block.publicComment, obfuscate: block.obfuscate)
    }

    /// Mastodon's timestamps: `2022-11-16T08:15:34.238Z`.
    private static let createdAtFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// This route's absolute URL with only `limit` and one cursor, as Mastodon's `Link` carries it: FediBlockHole
    /// follows it verbatim.
    private static func url(_ request: Request, limit: Int, _ cursor: String, _ id: Int64) -> String {
        let scheme = request.headers[forwardedProto].flatMap { $0 == "https" ? "https" : nil } ?? "http"
        let host = request.head.authority ?? "localhost"
        return "\(scheme)://\(host)\(request.uri.path)?limit=\(limit)&\(cursor)=\(id)"
    }

    private static func unprocessable(_ message: String) -> Response {
        JSONResponse.error(.unprocessableContent, code: "unprocessable", message)
    }

    private static func storeFailure(_ error: any Error) -> Response {
        JSONResponse.error(
            .serviceUnavailable, code: "storage_unavailable", "cannot change the blocklist now (\(error)); retry later")
    }

    // MARK: - Request parameters

    /// Parameters from the query, and from a JSON or form-encoded body (Mastodon accepts all three; FediBlockHole
    /// sends JSON, Mastodon.py a form).
    struct Parameters {
        var values: [String: Any] = [:]

        func string(_ name: String) -> String? {
            switch values[name] {
            case let text as String: text
            case let number as NSNumber: number.stringValue
            default: nil
            }
        }

        func list(_ name: String) -> [String]? {
            if let array = values[name] as? [Any] { return array.compactMap { $0 as? String } }
            if let array = values[name + "[]"] as? [Any] { return array.compactMap { $0 as? String } }
            return string(name).map { [$0] }
        }

        /// Mastodon's Boolean parameters: JSON Booleans, or `true`/`false`, `1`/`0` and the like in forms.
        static func bool(_ value: Any) -> Bool? {
            if let flag = value as? Bool { return flag }
            guard let text = value as? String else { return value is NSNull ? false : nil }
            switch text.lowercased() {
            case "true", "t", "1", "yes", "y", "on": return true
            case "false", "f", "0", "no", "n", "off", "": return false
            default: return nil
            }
        }
    }

    private func parameters(_ request: Request) async -> Either<Parameters, Response> {
        var parameters = Parameters()
        for (name, value) in request.uri.queryParameters { Self.add(String(name), String(value), to: &parameters) }
        let bytes: [UInt8]
        switch await bodies.collect(request) {
        case .success(let body): bytes = body
        case .failure(let response): return .failure(response)
        }
        guard !bytes.isEmpty else { return .success(parameters) }
        let type = request.headers[.contentType]?.lowercased() ?? ""
        if type.hasPrefix("application/json") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                return .failure(
                    JSONResponse.error(.badRequest, code: "bad_request", "the body is not a JSON object; send one"))
            }
            parameters.values.merge(object) { _, body in body }
        } else {
            // Decoded by hand: Foundation's URLComponents traps on characters a form may carry (`[`, `]`).
            for field in String(decoding: bytes, as: UTF8.self).split(separator: "&") where !field.isEmpty {
                let pair = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                    $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
                }
                guard let name = pair[0], let value = pair.count == 2 ? pair[1] : "" else {
                    return .failure(
                        JSONResponse.error(
                            .badRequest, code: "bad_request",
                            "the form body has a field that is not percent-encoded UTF-8; encode it as a browser does"))
                }
                Self.add(name, value, to: &parameters)
            }
        }
        return .success(parameters)
    }

    /// Adds a query or form field; `name[]` collects a list, `outer[inner]` a nested value (as Rails reads them).
    private static func add(_ name: String, _ value: String, to parameters: inout Parameters) {
        if name.hasSuffix("[]") {
            let key = String(name.dropLast(2))
            parameters.values[key] = ((parameters.values[key] as? [Any]) ?? []) + [value]
        } else {
            parameters.values[name] = value
        }
    }
}
