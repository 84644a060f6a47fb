public import Foundation
import Synchronization

/// The answer to a sign-in.
public enum SignInResult: Sendable, Hashable {
    case signedIn(Account)
    case refused(SignInRefusal)
}

/// Why a sign-in was refused. `message` is safe to show on the sign-in page: it never says whether a username
/// exists.
public enum SignInRefusal: Sendable, Hashable {
    /// Unknown username or wrong password: the same answer, after the same work, for both.
    case badCredentials
    /// The password was right but the account is disabled.
    case disabled
    /// Too many failures for this username or from this address; try again after `retryAfter` seconds.
    case throttled(retryAfter: TimeInterval)
    /// Too many sign-ins are being checked at once (the password work's queue is full); try again shortly.
    case busy

    public var message: String {
        switch self {
        case .badCredentials: "the username or password is wrong"
        case .disabled: "this account is disabled; ask an admin to enable it"
        case .throttled(let seconds):
            "too many failed sign-ins; try again in \(max(1, Int((seconds / 60).rounded(.up)))) minute(s)"
        case .busy: "too many sign-ins are being checked right now; try again in a few seconds"
        }
    }
}

extension AccessControl {
    /// Checks a username and password from `address` (the client's IP address, for the throttle). The password is
    /// verified on `passwordWork`, never on the caller's thread; a PBKDF2 hash or a bcrypt hash of a lower cost is
    /// replaced by a new one after a successful sign-in. Throws only when the store cannot be read or the password
    /// work cannot run.
    public func signIn(username: String, password: String, address: String, now: Date = Date()) async throws
        -> SignInResult
    {
        if let wait = throttle.attempt(username: username, address: address, now: now) {
            return .refused(.throttled(retryAfter: wait))
        }
        // Made before the account is looked up, so that the first sign-in costs the same whoever it names.
        let account: Account?
        let matches: Bool
        do {
            let dummy = try await dummyPasswordHash()
            account = try await store.account(username: username)
            let stored = account?.passwordHash ?? dummy
            matches = try await passwordWork.run { PasswordHash.verify(password, against: stored) }
        } catch is PasswordWorkBusy {
            return .refused(.busy)
        }
        guard let account, matches else { return .refused(.badCredentials) }
        throttle.succeeded(username: username, address: address)
        guard account.disabledAt == nil else { return .refused(.disabled) }
        if PasswordHash.needsRehash(account.passwordHash, cost: passwordCost) {
            try? await setPassword(password, for: account)
            return .signedIn(try await store.account(id: account.id) ?? account)
        }
        return .signedIn(account)
    }

    /// A bcrypt hash of a random password at `passwordCost`, made once.
    private func dummyPasswordHash() async throws -> String {
        if let hash = dummyHash.withLock({ $0 }) { return hash }
        let cost = passwordCost
        let hash = try await passwordWork.run { try PasswordHash.make(PasswordHash.generatePassword(), cost: cost) }
        dummyHash.withLock { $0 = $0 ?? hash }
        return hash
    }
}
