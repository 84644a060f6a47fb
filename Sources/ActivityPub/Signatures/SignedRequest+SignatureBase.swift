import RawStructuredFieldValues

extension SignedRequest {
    /// The RFC 9421 signature base (section 2.5): one `"name": value` line per covered component, then the
    /// `"@signature-params"` line, joined with LF and without a final newline.
    func signatureBase(
        covering components: [String], signatureParameters: InnerList
    ) throws(SignatureError) -> String {
        var lines: [String] = []
        for name in components {
            let value = try componentValue(name)
            lines.append("\(try StructuredFieldValueSerializer.serialized(string: name)): \(value)")
        }
        lines.append("\"@signature-params\": \(try StructuredFieldValueSerializer.serialized(signatureParameters))")
        return lines.joined(separator: "\n")
    }

    private func componentValue(_ name: String) throws(SignatureError) -> String {
        let target = path.isEmpty ? "/" : path
        let pathOnly = String(target.prefix { $0 != "?" })
        let query = target.firstIndex(of: "?").map { String(target[$0...]) }
        switch name {
        case "@method": return method
        case "@target-uri": return "\(scheme.lowercased())://\(try authority())\(target)"
        case "@authority": return try authority()
        case "@scheme": return scheme.lowercased()
        case "@request-target": return target
        case "@path": return pathOnly.isEmpty ? "/" : pathOnly
        case "@query": return query ?? "?"
        default:
            guard !name.hasPrefix("@") else {
                throw SignatureError(
                    .unsupportedComponent,
                    "derived component \(SignatureError.excerpt(of: name)) is not supported; cover @method, "
                        + "@target-uri, @authority, @scheme, @request-target, @path or @query")
            }
            return try fieldValue(name)
        }
    }

    /// The field's lines, each trimmed of spaces and tabs, joined with `", "` (RFC 9421 section 2.1).
    private func fieldValue(_ name: String) throws(SignatureError) -> String {
        let lines = headers[name]
        guard !lines.isEmpty else {
            throw SignatureError(
                .missingHeader,
                "Signature-Input covers \(SignatureError.excerpt(of: name)) but the request has no such header; "
                    + "send it or stop covering it")
        }
        let value = lines.map { $0.trimmingSpacesAndTabs }.joined(separator: ", ")
        guard !value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else {
            throw SignatureError(
                .malformedHeader,
                "header \(SignatureError.excerpt(of: name)) contains a line break; it cannot be signed")
        }
        return value
    }

    /// The `Host` header as RFC 9421 `@authority` wants it: lowercase, without the scheme's default port.
    private func authority() throws(SignatureError) -> String {
        let lines = headers["Host"]
        guard lines.count == 1 else {
            throw SignatureError(
                lines.isEmpty ? .missingHeader : .malformedHeader,
                "@target-uri and @authority need exactly one Host header; the request has \(lines.count)")
        }
        var host = lines[0].trimmingSpacesAndTabs.lowercased()
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !"/?#@\\".utf8.contains($0) }) else {
            throw SignatureError(.malformedHeader, "the Host header is not a host name with an optional port")
        }
        let defaultPort = ["https": ":443", "http": ":80"][scheme.lowercased()]
        if host.hasSuffix(":") {
            host.removeLast()
        } else if let defaultPort, host.hasSuffix(defaultPort) {
            host.removeLast(defaultPort.count)
        }
        return host
    }
}

extension String {
    fileprivate var trimmingSpacesAndTabs: String {
        var bytes = Array(utf8)[...]
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
