import RawStructuredFieldValues

/// The one RFC 9421 signature of a request, read from its `Signature-Input` and `Signature` headers.
///
/// Parsing checks everything that needs no key: structure, a single signature, the parameter types, `alg`
/// and the shape of the covered components. Coverage rules, time window and digest are the verifier's.
struct MessageSignature: Sendable {
    /// The only algorithm Mastodon accepts.
    static let algorithm = "rsa-v1_5-sha256"

    let label: String
    /// Component names in signing order: derived components such as `@method`, and lowercase header names.
    let components: [String]
    /// The covered components and parameters as received, serialized for the `@signature-params` line.
    let signatureParameters: InnerList
    let keyId: String
    /// Unix seconds.
    let created: Int64
    /// Unix seconds.
    let expires: Int64?
    let signature: [UInt8]

    init(headers: SignedRequest.Headers) throws(SignatureError) {
        let input = try Self.onlyMember(of: headers, field: "Signature-Input")
        guard case .innerList(let list) = input.value else {
            throw SignatureError(
                .malformedHeader,
                "the Signature-Input member is not an inner list; it must look like sig1=(\"@method\" …);created=…")
        }
        let signatureMember = try Self.onlyMember(of: headers, field: "Signature")
        guard signatureMember.key == input.key else {
            throw SignatureError(
                .malformedHeader, "the Signature and Signature-Input headers use different labels; they must match")
        }
        guard case .item(let item) = signatureMember.value,
            case .undecodedByteSequence(let base64) = item.rfc9651BareItem,
            let bytes = StructuredFieldDictionary.decodedBytes(base64), !bytes.isEmpty
        else {
            throw SignatureError(
                .malformedHeader, "the Signature member is not a byte sequence; it must look like sig1=:base64:")
        }
        let parameters = list.rfc9651Parameters
        let keyId = try Self.string("keyid", in: parameters)
        let created = try Self.integer("created", in: parameters)
        guard let keyId, !keyId.isEmpty else {
            throw SignatureError(
                .missingParameter, "Signature-Input has no keyid parameter; the sender must name its key in keyid=\"…\""
            )
        }
        guard let created else {
            throw SignatureError(
                .missingParameter,
                "Signature-Input has no created parameter; the sender must add created=<Unix seconds>")
        }
        if let algorithm = try Self.string("alg", in: parameters), algorithm != Self.algorithm {
            throw SignatureError(
                .unsupportedAlgorithm, "alg is not supported; only \(Self.algorithm) is accepted (or omit alg)")
        }
        self.label = input.key
        self.components = try Self.componentNames(of: list.bareInnerList)
        self.signatureParameters = list
        self.keyId = keyId
        self.created = created
        self.expires = try Self.integer("expires", in: parameters)
        self.signature = bytes
    }

    private static func onlyMember(
        of headers: SignedRequest.Headers, field: String
    ) throws(SignatureError) -> (key: String, value: ItemOrInnerList) {
        guard let value = headers.combined(field) else {
            throw SignatureError(
                .malformedHeader,
                "the request has Signature-Input but no \(field) header; RFC 9421 signatures need both")
        }
        let members = try StructuredFieldDictionary.parse(value, field: field)
        guard members.count <= 1 else {
            throw SignatureError(
                .multipleSignatures,
                "\(field) holds \(members.count) signatures; Mastodon accepts exactly one, so send only one")
        }
        guard let (key, member) = members.first else {
            throw SignatureError(.malformedHeader, "\(field) is empty; it must hold one signature")
        }
        return (key, member)
    }

    private static func string(_ key: String, in parameters: OrderedMap<String, RFC9651BareItem>) throws(SignatureError)
        -> String?
    {
        guard let value = parameters[key] else { return nil }
        guard case .string(let text) = value else {
            throw SignatureError(.malformedHeader, "the \(key) parameter of Signature-Input must be a quoted string")
        }
        return text
    }

    private static func integer(_ key: String, in parameters: OrderedMap<String, RFC9651BareItem>)
        throws(SignatureError)
        -> Int64?
    {
        guard let value = parameters[key] else { return nil }
        guard case .integer(let number) = value else {
            throw SignatureError(
                .malformedHeader, "the \(key) parameter of Signature-Input must be an integer of Unix seconds")
        }
        return number
    }

    private static func componentNames(of items: BareInnerList) throws(SignatureError) -> [String] {
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item.rfc9651BareItem else {
                throw SignatureError(
                    .malformedHeader, "a covered component in Signature-Input is not a quoted string such as \"date\"")
            }
            let shown = SignatureError.excerpt(of: name)
            guard item.rfc9651Parameters.isEmpty else {
                throw SignatureError(
                    .unsupportedComponent,
                    "covered component \(shown) has parameters (such as ;sf, ;key, ;bs or ;req), which are not "
                        + "supported; cover the plain component instead")
            }
            guard !name.isEmpty, name == name.lowercased() else {
                throw SignatureError(
                    .malformedHeader, "covered component \(shown) must be a non-empty lowercase name")
            }
            guard name != "@signature-params" else {
                throw SignatureError(.malformedHeader, "@signature-params may not be listed as a covered component")
            }
            guard !names.contains(name) else {
                throw SignatureError(
                    .malformedHeader, "covered component \(shown) is listed twice; list each component once")
            }
            names.append(name)
        }
        return names
    }
}
