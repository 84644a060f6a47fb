public import ActivityPub
public import Foundation

/// What the fuzz targets share: reading libFuzzer's input, a fixed clock and key, and request parsing.
public enum FuzzInput {
    /// libFuzzer's input as bytes (copied: the buffer is only valid during the call).
    public static func bytes(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    }

    /// libFuzzer's input as text; invalid UTF-8 becomes U+FFFD, as the server's decoding does.
    public static func text(_ start: UnsafeRawPointer, _ count: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    }

    /// The clock every target uses, so a run is reproducible: 2025-01-01T00:00:00Z. Seeds are dated near it.
    public static let now = Date(timeIntervalSince1970: 1_735_689_600)

    /// A real 2048-bit RSA public key, so verification reaches the key parse and the RSA check. Its private half
    /// is not kept: no input can carry a valid signature, and the targets look for crashes, not acceptances.
    public static let publicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAykBcsx1tI0TP0zp1l4rG
        mQEcwokHrigBA/9MHTDFWh5jY1WmwEccEQdoVRxyuQ71vfSFP/WRU8muM2mhxcuo
        51ewTrmhtJvbqAf9PSsTmOcuCIhbCiLxNcuvIEqGtmr6X6D3Yl2cmrWXyvXgyibz
        BU+/qkOlXWDgtxgQtHdxc3iXz6lsmdqTTNuvs+KCiC1o0n0gx7QBELdEE323CWZu
        goNfDCbpJ02CjSkyEYN1pGIhQhYBT+CCf4v0EJ32YGG9ILfjy32cAd1cn2v398zS
        VzO7VJ7NLdo13zDL9h8Ha77fSxOwSjPRdQR6VorRQGNc9g5HcvzvSrJXfbNN7g3M
        wwIDAQAB
        -----END PUBLIC KEY-----

        """

    /// Reads the input as a request head in HTTP/1 form: `METHOD path` on the first line, then `Name: value`
    /// header lines, then an empty line and the body. Lines end in `\n` (a `\r` before it is dropped).
    /// Anything malformed is kept as it comes: a line without a colon is a header with an empty value.
    public static func request(_ bytes: [UInt8]) -> SignedRequest {
        var lines: [Substring] = []
        var body: [UInt8] = []
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                var end = index
                if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if end == lineStart, !lines.isEmpty {
                    body = Array(bytes[(index + 1)...])
                    lineStart = bytes.count
                    break
                }
                lines.append(Substring(String(decoding: bytes[lineStart..<end], as: UTF8.self)))
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.count {
            lines.append(Substring(String(decoding: bytes[lineStart...], as: UTF8.self)))
        }
        let requestLine = lines.first?.split(separator: " ", maxSplits: 1) ?? []
        var headers = SignedRequest.Headers()
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? parts[1].drop { $0 == " " || $0 == "\t" } : ""
            headers.add(String(parts[0]), String(value))
        }
        return SignedRequest(
            method: requestLine.first.map(String.init) ?? "POST",
            path: requestLine.count > 1 ? String(requestLine[1]) : "/inbox",
            headers: headers, body: body)
    }
}
