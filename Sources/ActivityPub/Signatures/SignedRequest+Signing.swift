import Crypto
import Foundation

extension SignedRequest {
    /// base64(SHA-256(body)), the value after `SHA-256=` in a `Digest` header.
    var bodyDigest: String { Data(SHA256.hash(data: body)).base64EncodedString() }

    /// The draft-cavage signing string: one `name: value` line per signed header, joined with LF.
    ///
    /// - Parameter includeQuery: false builds the legacy `(request-target)` without the query string.
    func signingString(
        covering names: [String], created: String?, expires: String?, includeQuery: Bool
    ) throws(SignatureError) -> String {
        var lines: [String] = []
        for name in names {
            switch name {
            case "(request-target)":
                let target = includeQuery ? path : String(path.prefix { $0 != "?" })
                lines.append("(request-target): \(method.lowercased()) \(target)")
            case "(created)", "(expires)":
                guard let value = name == "(created)" ? created : expires else {
                    throw SignatureError(
                        .malformedHeader,
                        "headers= lists \(name) but the Signature header has no \(name.dropFirst().dropLast())= parameter"
                    )
                }
                lines.append("\(name): \(value)")
            default:
                guard !name.hasPrefix("(") else {
                    throw SignatureError(.malformedHeader, "headers= lists the unknown pseudo-header \(name)")
                }
                guard let value = headers.combined(name) else {
                    throw SignatureError(
                        .missingHeader,
                        "headers= lists \(name) but the request has no such header; send it or stop signing it")
                }
                lines.append("\(name): \(value)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
