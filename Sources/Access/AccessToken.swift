public import Foundation
import Crypto

/// A bearer token as stored: the secret itself is never kept, only its SHA-256.
public struct AccessToken: Sendable, Hashable, Codable, Identifiable {
    public var id: Int64
    public var name: String
    public var scopes: Set<AccessScope>
    public var createdAt: Date
    public var revokedAt: Date?
    /// The account the token acts for, when it is bound to one: it then acts as that person, limited by both
    /// the person's role and the token's scopes.
    public var accountID: Int64?

    public init(id: Int64, name: String, scopes: Set<AccessScope>, createdAt: Date, revokedAt: Date? = nil, accountID: Int64? = nil) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.accountID = accountID
    }

    public func grants(_ scope: AccessScope) -> Bool {
        revokedAt == nil && scopes.contains { $0.grants(scope) }
    }
}

/// Token secrets: `hw_` and 43 characters of base64url (32 random bytes).
public enum TokenSecret {
    public static let prefix = "hw_"

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + base64URL(bytes)
    }

    /// The digest stored in place of the secret.
    public static func digest(_ secret: String) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(secret.utf8)) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
