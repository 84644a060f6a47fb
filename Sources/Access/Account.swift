import Crypto
public import Foundation
import HummingbirdBcrypt
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
    /// A `PasswordHash`: bcrypt (`$2b$12$…`), or `pbkdf2-sha256$ROUNDS$SALT$HASH` for passwords set before
    /// bcrypt, replaced at the next sign-in.
    public var passwordHash: String
    public var createdAt: Date
    /// When the account was disabled; a disabled account cannot sign in and its tokens stop working.
    public var disabledAt: Date?
    /// Whether the workbench blurs revealed media for this person; nil follows `web.blurMedia`.
    public var blurMedia: Bool?

    public init(
        id: Int64, username: String, role: Role, passwordHash: String, createdAt: Date, disabledAt: Date? = nil,
        blurMedia: Bool? = nil
    ) {
        self.blurMedia = blurMedia
        self.id = id
        self.username = username
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}

/// Password hashes. New ones are bcrypt (`$2b$COST$…`, cost 12); PBKDF2-SHA256 hashes made before
/// (`pbkdf2-sha256$ROUNDS$SALT$HASH`, salt and hash in base64) still verify, and `needsRehash` says to replace them.
///
/// Both are slow on purpose (a quarter of a second or more on one core): a server must run `make` and `verify`
/// off its event loops, as `AccessControl` does through its `PasswordWork`.
public enum PasswordHash {
    /// bcrypt's cost (log2 of its rounds) for new hashes.
    public static let cost: UInt8 = 12
    /// bcrypt reads no further than 72 bytes, so a longer password would be cut without a word; it is refused.
    public static let maxPasswordBytes = 72

    /// A new bcrypt hash of `password`; throws `AccessError` (`.unacceptablePassword`) for a password that cannot
    /// be used.
    public static func make(_ password: String, cost: UInt8 = cost) throws(AccessError) -> String {
        try validate(password)
        return Bcrypt.hash(password, cost: cost)
    }

    /// Refuses an empty password, one longer than `maxPasswordBytes` bytes of UTF-8, and one with a NUL character
    /// (which C would read as its end).
    public static func validate(_ password: String) throws(AccessError) {
        if password.isEmpty {
            throw AccessError(.unacceptablePassword, "the password is empty; give one of at least one character")
        }
        if password.utf8.count > maxPasswordBytes {
            throw AccessError(
                .unacceptablePassword,
                "the password is \(password.utf8.count) bytes long; bcrypt uses at most \(maxPasswordBytes), so give a shorter one"
            )
        }
        if password.utf8.contains(0) {
            throw AccessError(.unacceptablePassword, "the password contains a NUL character; remove it")
        }
    }

    /// Whether `password` matches `stored` (bcrypt or PBKDF2); false for a hash in no known format.
    public static func verify(_ password: String, against stored: String) -> Bool {
        if stored.hasPrefix("$2") {
            // Passwords that `make` refuses never match, rather than match on their first 72 bytes.
            guard (try? validate(password)) != nil else { return false }
            return Bcrypt.verify(password, hash: stored)
        }
        return verifyPBKDF2(password, against: stored)
    }

    /// Whether a stored hash should be replaced by a new one once the password is known again (at sign-in):
    /// PBKDF2, or bcrypt at a lower cost than `cost`.
    public static func needsRehash(_ stored: String, cost: UInt8 = cost) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard stored.utf8.count == 60, parts.count == 4, parts[0].isEmpty, parts[1].hasPrefix("2"),
            let storedCost = UInt8(parts[2]), storedCost <= 31
        else { return true }
        return storedCost < cost
    }

    private static func verifyPBKDF2(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds > 0,
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
            let hash = try? derivePBKDF2(password, salt: Array(salt), rounds: rounds)
        else { return false }
        // Constant time: compare every byte.
        guard hash.count == expected.count else { return false }
        return zip(hash, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derivePBKDF2(_ password: String, salt: [UInt8], rounds: Int) throws -> [UInt8] {
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
