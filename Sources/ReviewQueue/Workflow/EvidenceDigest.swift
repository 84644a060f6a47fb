import Crypto

/// The SHA-256 of a case's evidence as stored when the case opened: the activity's bytes, the actor document
/// (empty when there was none) and, for an inbox delivery, the request (method, target, every header name and
/// value in order, body). Each field is prefixed
/// with its length (8 bytes, big-endian), so bytes moved from one field to the next change the digest. Kept with
/// the case, it shows later that the evidence a decision was made on is the evidence that arrived.
public enum EvidenceDigest {
    public static func of(body: [UInt8], request: StoredRequest?, actorDocument: [UInt8]? = nil) -> String {
        var hasher = SHA256()
        func field(_ bytes: some Collection<UInt8>) {
            var length = UInt64(bytes.count).bigEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            hasher.update(data: Array(bytes))
        }
        field(body)
        field(actorDocument ?? [])
        if let request {
            field(request.method.utf8)
            field(request.target.utf8)
            for header in request.headers {
                field(header.name.utf8)
                field(header.value.utf8)
            }
            field(request.body)
        }
        return hasher.finalize().map { byte in
            let hex = Array("0123456789abcdef".utf8)
            return String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
        }.joined()
    }
}

extension ReviewCase {
    /// The digest of the evidence as it is stored now; equal to `evidenceDigest` unless the evidence changed.
    public var currentEvidenceDigest: String { EvidenceDigest.of(body: body, request: request, actorDocument: actorDocument) }
}
