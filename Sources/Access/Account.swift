public import Foundation
import Crypto
import _CryptoExtras

/// A person who signs in to Herdwatch.
public struct Account: Sendable, Hashable, Codable, Identifiable {
    /// What a person may do is set by their role; see `permissions`.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case admin
        case lead
        case moderator
        case contractor
    }

    public var id: Int64
    public var username: String
    public var role: Role
    /// `pbkdf2-sha256$ROUNDS$SALT$HASH`, salt and hash in base64.
    public var passwordHash: String
    public var createdAt: Date
    /// When the account was disabled; a disabled account cannot sign in and its tokens stop working.
    public var disabledAt: Date?

    public init(id: Int64, username: String, role: Role, passwordHash: String, createdAt: Date, disabledAt: Date? = nil) {
        self.id = id
        self.username = username
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}

/// Password hashing with PBKDF2-SHA256 at OWASP's recommended 600,000 rounds.
public enum PasswordHash {
    public static let rounds = 600_000

    public static func make(_ password: String, rounds: Int = rounds) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let hash = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds > 0,
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
            let hash = try? derive(password, salt: Array(salt), rounds: rounds)
        else { return false }
        // Constant time: compare every byte.
        guard hash.count == expected.count else { return false }
        return zip(hash, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }

    /// A random password of 20 characters from an alphabet without look-alikes.
    public static func generatePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
