/// A parsed draft-cavage `Signature` header, as Mastodon sends and reads it.
///
/// `keyId="…",algorithm="…",headers="…",signature="…"`, with optional `created=` and `expires=`
/// (Unix seconds) under `hs2019`.
public struct HTTPSignature: Sendable, Equatable {
    /// The signature algorithms Mastodon accepts; both mean RSASSA-PKCS1-v1_5 with SHA-256 in practice.
    public enum Algorithm: String, Sendable, Equatable {
        case rsaSHA256 = "rsa-sha256"
        case hs2019
    }

    /// URL of the key document, usually `<actor>#main-key` (or `<actor>/main-key` on GoToSocial).
    public let keyId: String
    public let algorithm: Algorithm
    /// Lowercased header names in signing order, including pseudo-headers such as `(request-target)`.
    public let headers: [String]
    /// The base64 signature exactly as sent.
    public let signature: String
    /// The `created=` parameter, kept as sent because it is signed verbatim under `(created)`.
    public let created: String?
    /// The `expires=` parameter, kept as sent because it is signed verbatim under `(expires)`.
    public let expires: String?

    public init(
        keyId: String, algorithm: Algorithm, headers: [String], signature: String,
        created: String? = nil, expires: String? = nil
    ) {
        self.keyId = keyId
        self.algorithm = algorithm
        self.headers = headers
        self.signature = signature
        self.created = created
        self.expires = expires
    }

    /// Parses a `Signature` header value.
    ///
    /// Tolerates spaces around `=` and `,`, quoted or bare values, and backslash escapes in quoted values.
    /// An absent `algorithm=` means `hs2019`; an absent `headers=` means `(created)` under `hs2019`, else `date`.
    public init(parsing value: String) throws(SignatureError) {
        let parameters = try Self.parameters(in: Array(value.utf8))
        guard let keyId = parameters["keyId"], !keyId.isEmpty else {
            throw SignatureError(.malformedHeader, "Signature header has no keyId; the sender must name its key")
        }
        guard let signature = parameters["signature"], !signature.isEmpty else {
            throw SignatureError(.malformedHeader, "Signature header has no signature parameter")
        }
        let algorithm: Algorithm
        if let name = parameters["algorithm"] {
            guard let known = Algorithm(rawValue: name.lowercased()) else {
                throw SignatureError(
                    .unsupportedAlgorithm,
                    "Signature algorithm is not supported; only rsa-sha256 and hs2019 are accepted")
            }
            algorithm = known
        } else {
            algorithm = .hs2019
        }
        let headers: [String]
        if let list = parameters["headers"] {
            headers = list.lowercased().split(separator: " ").map(String.init)
            guard !headers.isEmpty else {
                throw SignatureError(.malformedHeader, "Signature headers= parameter is empty")
            }
        } else {
            headers = algorithm == .hs2019 ? ["(created)"] : ["date"]
        }
        for name in ["created", "expires"] {
            if let number = parameters[name], Int64(number) == nil {
                throw SignatureError(.malformedHeader, "Signature \(name)= must be a whole number of Unix seconds")
            }
        }
        self.init(
            keyId: keyId, algorithm: algorithm, headers: headers, signature: signature,
            created: parameters["created"], expires: parameters["expires"])
    }

    /// The header value, formatted as Mastodon formats it.
    public var headerValue: String {
        var parts = ["keyId=\"\(keyId)\"", "algorithm=\"\(algorithm.rawValue)\""]
        if let created { parts.append("created=\(created)") }
        if let expires { parts.append("expires=\(expires)") }
        parts.append("headers=\"\(headers.joined(separator: " "))\"")
        parts.append("signature=\"\(signature)\"")
        return parts.joined(separator: ",")
    }

    private static func parameters(in bytes: [UInt8]) throws(SignatureError) -> [String: String] {
        var result: [String: String] = [:]
        var index = 0
        func skipSpaces() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
                index += 1
            }
        }
        func malformed(_ what: String) -> SignatureError {
            SignatureError(
                .malformedHeader,
                "Signature header \(what) at byte \(index); expected name=\"value\" pairs separated by commas")
        }
        while true {
            skipSpaces()
            let nameStart = index
            while index < bytes.count, isTokenByte(bytes[index]) { index += 1 }
            guard index > nameStart else { throw malformed("has no parameter name") }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            skipSpaces()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw malformed("is missing '='") }
            index += 1
            skipSpaces()
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        break
                    }
                    if byte == UInt8(ascii: "\\"), index < bytes.count {
                        value.append(bytes[index])
                        index += 1
                    } else {
                        value.append(byte)
                    }
                }
                guard closed else { throw malformed("has an unterminated quoted value") }
            } else {
                let valueStart = index
                while index < bytes.count, isTokenByte(bytes[index]) { index += 1 }
                guard index > valueStart else { throw malformed("has an empty value") }
                value = Array(bytes[valueStart..<index])
            }
            guard result.updateValue(String(decoding: value, as: UTF8.self), forKey: name) == nil else {
                throw malformed("repeats a parameter")
            }
            skipSpaces()
            if index == bytes.count { return result }
            guard bytes[index] == UInt8(ascii: ",") else { throw malformed("has text after a value") }
            index += 1
        }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
