import Dispatch
import Access
import Foundation
import HerdwatchTestSupport
import Synchronization
import Testing

/// Password work that counts what it runs, on the caller's thread (tests need no thread of their own).
final class CountingPasswordWork: PasswordWork {
    let runs = Atomic<Int>(0)

    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        runs.add(1, ordering: .relaxed)
        return try body()
    }
}

@Suite("Passwords")
struct PasswordHashTests {
    /// Made by `PasswordHash.make` as it was before bcrypt (commit 3f92db0): the admin account that
    /// `herdwatch serve` created on first start.
    static let pbkdf2 = "pbkdf2-sha256$600000$Dg7GGgnQJOSKtJPOPFp3vA==$bc9+5C4GkSFnaywMd9p0m346UNKBR38l4j0z6kr36c0="
    static let pbkdf2Password = "zw82rj5aQMWE9wKAxkcj"

    @Test func newHashesAreBcryptAtCost12() throws {
        let hash = try PasswordHash.make("a passphrase")
        #expect(hash.hasPrefix("$2b$12$"))
        #expect(hash.count == 60)
        #expect(PasswordHash.verify("a passphrase", against: hash))
        #expect(!PasswordHash.verify("a passphrasE", against: hash))
        #expect(try PasswordHash.make("a passphrase") != hash, "a new salt each time")
        #expect(!PasswordHash.needsRehash(hash))
    }

    @Test func pbkdf2HashesFromBeforeStillVerifyAndAskToBeReplaced() {
        #expect(PasswordHash.verify(Self.pbkdf2Password, against: Self.pbkdf2))
        #expect(!PasswordHash.verify(Self.pbkdf2Password + "x", against: Self.pbkdf2))
        #expect(!PasswordHash.verify("", against: Self.pbkdf2))
        #expect(PasswordHash.needsRehash(Self.pbkdf2))
    }

    @Test func aLowerCostAsksToBeReplaced() throws {
        let cheap = try PasswordHash.make("pw", cost: 4)
        #expect(cheap.hasPrefix("$2b$04$"))
        #expect(PasswordHash.verify("pw", against: cheap))
        #expect(PasswordHash.needsRehash(cheap))
        #expect(!PasswordHash.needsRehash(cheap, cost: 4))
    }

    @Test(arguments: [
        "", "not a hash", "$2b$", "$2b$99$abcdefghijklmnopqrstuv", "pbkdf2-sha256$x$AA==$AA==", "md5$abc",
    ])
    func hashesInNoKnownFormatNeverMatch(stored: String) {
        #expect(!PasswordHash.verify("", against: stored))
        #expect(!PasswordHash.verify("password", against: stored))
        #expect(PasswordHash.needsRehash(stored))
    }

    @Test func unusablePasswordsAreRefusedWithAReason() throws {
        let cases: [(String, String)] = [
            ("", "the password is empty; give one of at least one character"),
            (
                String(repeating: "é", count: 37),
                "the password is 74 bytes long; bcrypt uses at most 72, so give a shorter one"
            ),
            ("a\u{0}b", "the password contains a NUL character; remove it"),
        ]
        for (password, message) in cases {
            #expect(throws: AccessError(.unacceptablePassword, message)) { try PasswordHash.make(password, cost: 4) }
        }
        #expect(try PasswordHash.make(String(repeating: "a", count: 72), cost: 4).hasPrefix("$2b$04$"))
    }

    @Test func aPasswordLongerThanBcryptReadsNeverMatchesOnItsFirst72Bytes() throws {
        let password = String(repeating: "a", count: 72)
        let hash = try PasswordHash.make(password, cost: 4)
        #expect(PasswordHash.verify(password, against: hash))
        #expect(!PasswordHash.verify(password + "anything", against: hash))
    }
}

@Suite("Sign-in")
struct SignInTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    let store = InMemoryAccessStore()
    let work = CountingPasswordWork()
    let access: AccessControl

    init() {
        access = AccessControl(store: store, passwordWork: work, passwordCost: 4)
    }

    @Test func theRightPasswordSignsIn() async throws {
        let alice = try await access.createAccount(username: "alice", role: .moderator, password: "right")
        #expect(alice.passwordHash.hasPrefix("$2b$04$"))
        #expect(
            try await access.signIn(username: "alice", password: "right", address: "192.0.2.1", now: Self.start)
                == .signedIn(alice))
    }

    @Test func anUnknownNameAndAWrongPasswordGetTheSameAnswerAfterTheSameWork() async throws {
        _ = try await access.createAccount(username: "alice", role: .moderator, password: "right")
        let before = work.runs.load(ordering: .relaxed)
        let wrong = try await access.signIn(username: "alice", password: "wrong", address: "192.0.2.1", now: Self.start)
        let afterWrong = work.runs.load(ordering: .relaxed)
        let unknown = try await access.signIn(
            username: "nobody", password: "wrong", address: "192.0.2.1", now: Self.start)
        let afterUnknown = work.runs.load(ordering: .relaxed)
        #expect(wrong == .refused(.badCredentials))
        #expect(unknown == wrong)
        #expect(SignInRefusal.badCredentials.message == "the username or password is wrong")
        // One verification each, on the password work (the dummy hash was made by the first sign-in).
        #expect(afterWrong - before == 2)
        #expect(afterUnknown - afterWrong == 1)
        let again = try await access.signIn(username: "alice", password: "wrong", address: "192.0.2.1", now: Self.start)
        #expect(again == .refused(.badCredentials))
        #expect(work.runs.load(ordering: .relaxed) - afterUnknown == 1)
    }

    @Test func theFirstSignInMakesTheDummyHashWhoeverItNames() async throws {
        _ = try await access.createAccount(username: "alice", role: .moderator, password: "right")
        let other = AccessControl(store: store, passwordWork: work, passwordCost: 4)
        let before = work.runs.load(ordering: .relaxed)
        _ = try await other.signIn(username: "alice", password: "right", address: "192.0.2.1", now: Self.start)
        #expect(work.runs.load(ordering: .relaxed) - before == 2)
    }

    @Test func aDisabledAccountIsRefusedOnlyOnceThePasswordIsRight() async throws {
        let alice = try await access.createAccount(username: "alice", role: .contractor, password: "right")
        try await access.disable(alice)
        #expect(
            try await access.signIn(username: "alice", password: "wrong", address: "a", now: Self.start)
                == .refused(.badCredentials))
        #expect(
            try await access.signIn(username: "alice", password: "right", address: "a", now: Self.start)
                == .refused(.disabled))
        try await access.enable(alice)
        #expect(
            try await access.signIn(username: "alice", password: "right", address: "a", now: Self.start)
                == .signedIn(alice))
    }

    @Test func aPBKDF2PasswordSignsInAndIsStoredAgainWithBcrypt() async throws {
        let admin = try await store.insertAccount(
            username: "admin", role: .admin, passwordHash: PasswordHashTests.pbkdf2, at: Self.start)
        let result = try await access.signIn(
            username: "admin", password: PasswordHashTests.pbkdf2Password, address: "a", now: Self.start)
        guard case .signedIn(let signedIn) = result else {
            Issue.record("expected a sign-in, got \(result)")
            return
        }
        #expect(signedIn.id == admin.id)
        let stored = try await #require(try store.account(id: admin.id)).passwordHash
        #expect(stored.hasPrefix("$2b$04$"))
        #expect(signedIn.passwordHash == stored)
        #expect(
            try await access.signIn(
                username: "admin", password: PasswordHashTests.pbkdf2Password, address: "a", now: Self.start)
                == .signedIn(signedIn))
        #expect(
            try await access.signIn(username: "admin", password: "wrong", address: "a", now: Self.start)
                == .refused(.badCredentials))
    }

    @Test func fiveFailuresForANameRefuseItForTheRestOfTheWindow() async throws {
        let alice = try await access.createAccount(username: "alice", role: .moderator, password: "right")
        for minute in 0..<5 {
            let now = Self.start.addingTimeInterval(Double(minute) * 60)
            #expect(
                try await access.signIn(username: "alice", password: "wrong", address: "10.0.0.\(minute)", now: now)
                    == .refused(.badCredentials))
        }
        let runs = work.runs.load(ordering: .relaxed)
        // Even the right password, from another address, in another case, waits for the window (15 minutes from the
        // first failure) to end, and costs no hashing meanwhile.
        let tenMinutesIn = Self.start.addingTimeInterval(600)
        #expect(
            try await access.signIn(username: "Alice", password: "right", address: "10.1.1.1", now: tenMinutesIn)
                == .refused(.throttled(retryAfter: 300)))
        #expect(work.runs.load(ordering: .relaxed) == runs)
        #expect(
            SignInRefusal.throttled(retryAfter: 300).message == "too many failed sign-ins; try again in 5 minute(s)")
        // Others still sign in.
        _ = try await access.createAccount(username: "bob", role: .moderator, password: "bob's")
        #expect(
            try await access.signIn(username: "bob", password: "bob's", address: "10.0.0.1", now: tenMinutesIn)
                != .refused(.throttled(retryAfter: 300)))
        let later = Self.start.addingTimeInterval(15 * 60)
        #expect(
            try await access.signIn(username: "alice", password: "right", address: "10.1.1.1", now: later)
                == .signedIn(alice))
    }

    @Test func aSuccessClearsTheNamesFailures() async throws {
        let alice = try await access.createAccount(username: "alice", role: .moderator, password: "right")
        for _ in 0..<4 {
            _ = try await access.signIn(username: "alice", password: "wrong", address: "a", now: Self.start)
        }
        #expect(
            try await access.signIn(username: "alice", password: "right", address: "a", now: Self.start)
                == .signedIn(alice))
        for _ in 0..<4 {
            _ = try await access.signIn(username: "alice", password: "wrong", address: "a", now: Self.start)
        }
        #expect(
            try await access.signIn(username: "alice", password: "right", address: "a", now: Self.start)
                == .signedIn(alice))
    }

    @Test func twentyFailuresFromAnAddressRefuseIt() async throws {
        let alice = try await access.createAccount(username: "alice", role: .moderator, password: "right")
        for index in 0..<20 {
            #expect(
                try await access.signIn(
                    username: "user\(index)", password: "guess", address: "198.51.100.7", now: Self.start)
                    == .refused(.badCredentials))
        }
        #expect(
            try await access.signIn(username: "alice", password: "right", address: "198.51.100.7", now: Self.start)
                == .refused(.throttled(retryAfter: 900)))
        #expect(
            try await access.signIn(username: "alice", password: "right", address: "198.51.100.8", now: Self.start)
                == .signedIn(alice))
    }
}

@Suite("Accounts through AccessControl")
struct AccountChangeTests {
    @Test func theOnlyEnabledAdminCannotBeDisabledOrDemoted() async throws {
        let access = AccessControl(store: InMemoryAccessStore(), passwordCost: 4)
        let root = try await access.createAccount(username: "root", role: .admin, password: "pw")
        let mo = try await access.createAccount(username: "mo", role: .moderator, password: "pw")
        let refusal = { (change: String) in
            AccessError(
                .lastAdmin,
                "cannot \(change): root is the only enabled admin; make another admin first (`herdwatch user add NAME --role admin`)"
            )
        }
        await #expect(throws: refusal("disable root")) { try await access.disable(root) }
        await #expect(throws: refusal("make root lead")) { try await access.setRole(.lead, for: root) }
        #expect(try await access.store.account(id: root.id) == root)
        try await access.setRole(.admin, for: root)
        // Others change freely, and with a second admin, so does the first.
        try await access.disable(mo)
        try await access.setRole(.admin, for: mo)
        await #expect(throws: refusal("disable root")) { try await access.disable(root) }
        try await access.enable(mo)
        try await access.setRole(.lead, for: root)
        #expect(try await access.store.account(id: root.id)?.role == .lead)
        await #expect(throws: AccessError.self) { try await access.disable(mo) }
    }
}

@Suite("Password work")
struct PasswordWorkTests {
    final class InFlight: Sendable {
        let now = Atomic<Int>(0)
        let most = Atomic<Int>(0)
    }

    @Test func serialWorkRunsOneHashAtATime() async throws {
        let work = SerialPasswordWork()
        let inFlight = InFlight()
        try await withThrowingDiscardingTaskGroup { group in
            for _ in 0..<4 {
                group.addTask {
                    let result = try await work.run {
                        let now = inFlight.now.add(1, ordering: .sequentiallyConsistent).newValue
                        _ = inFlight.most.max(now, ordering: .sequentiallyConsistent)
                        usleep(20_000)
                        inFlight.now.subtract(1, ordering: .sequentiallyConsistent)
                        return now
                    }
                    #expect(result == 1)
                }
            }
        }
        #expect(inFlight.most.load(ordering: .sequentiallyConsistent) == 1)
        await #expect(throws: AccessError.self) {
            try await work.run { try PasswordHash.make("") }
        }
    }
}

@Suite("Password work queue bound")
struct PasswordWorkBoundTests {
    /// Waits until `work` has `count` hashes queued or running. Polls: a test never blocks a thread of the
    /// cooperative pool, which the queued tasks need to get there (in a full parallel run they may wait a while).
    private static func waitUntil(_ work: SerialPasswordWork, queued count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while work.queued < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try #require(work.queued == count, "the holding task never reached the queue")
    }

    @Test func pastItsBoundTheQueueRefusesAtOnceAndAcceptsAgainWhenItDrains() async throws {
        let work = SerialPasswordWork(maxWaiting: 1)
        // The gate is waited on by the work's own queue, never by a task.
        let gate = DispatchSemaphore(value: 0)
        let holder = Task { try await work.run { gate.wait(); return 1 } }
        do {
            try await Self.waitUntil(work, queued: 1)
            await #expect(throws: PasswordWorkBusy.self) { try await work.run { 3 } }
            #expect(work.queued == 1, "a refused hash takes no place in the queue")
        } catch {
            gate.signal()
            throw error
        }
        gate.signal()
        #expect(try await holder.value == 1)
        #expect(try await work.run { 4 } == 4)
    }

    @Test func aSignInFloodPastTheBoundIsToldToComeBackNotQueued() async throws {
        let work = SerialPasswordWork(maxWaiting: 1)
        let access = AccessControl(store: InMemoryAccessStore(), passwordWork: work, passwordCost: 4)
        _ = try await access.createAccount(username: "alice", role: .admin, password: "right")
        let gate = DispatchSemaphore(value: 0)
        let holder = Task { try await work.run { gate.wait() } }
        let refused: SignInResult
        do {
            try await Self.waitUntil(work, queued: 1)
            refused = try await access.signIn(username: "alice", password: "right", address: "10.0.0.1")
        } catch {
            gate.signal()
            throw error
        }
        gate.signal()
        #expect(refused == .refused(.busy))
        #expect(SignInRefusal.busy.message.contains("try again"))
        try await holder.value
        #expect(try await access.signIn(username: "alice", password: "right", address: "10.0.0.1") != .refused(.busy))
    }
}

@Suite("Sign-in throttle")
struct SignInThrottleTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func itRemembersAtMostItsCapacityDroppingEndedWindowsFirst() {
        let throttle = SignInThrottle(limitPerUsername: 2, limitPerAddress: 100, window: 60, capacity: 3)
        _ = throttle.attempt(username: "old", address: "x", now: Self.start)
        _ = throttle.attempt(username: "target", address: "x", now: Self.start.addingTimeInterval(50))
        _ = throttle.attempt(username: "target", address: "x", now: Self.start.addingTimeInterval(50))
        _ = throttle.attempt(username: "third", address: "x", now: Self.start.addingTimeInterval(55))
        // "old" has ended at 60 s; a new name takes its place, and "target" stays throttled.
        _ = throttle.attempt(username: "new", address: "x", now: Self.start.addingTimeInterval(70))
        #expect(throttle.counts.usernames == 3)
        #expect(throttle.attempt(username: "target", address: "y", now: Self.start.addingTimeInterval(70)) == 40)
        // With no ended window left, the oldest goes.
        for index in 0..<10 {
            _ = throttle.attempt(username: "flood\(index)", address: "x", now: Self.start.addingTimeInterval(71))
        }
        #expect(throttle.counts == (3, 1))
        #expect(
            throttle.attempt(username: "target", address: "y", now: Self.start.addingTimeInterval(71)) == nil,
            "forgotten")
    }

    @Test func twelveGuessesSentAtOnceLetOnlyFiveThrough() async throws {
        let access = AccessControl(store: InMemoryAccessStore(), passwordWork: SerialPasswordWork(), passwordCost: 4)
        _ = try await access.createAccount(username: "alice", role: .admin, password: "right")
        let start = Self.start
        let results = try await withThrowingTaskGroup(of: SignInResult.self) { group in
            for index in 0..<12 {
                group.addTask {
                    try await access.signIn(
                        username: "alice", password: "guess \(index)", address: "10.0.0.\(index)", now: start)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == .refused(.badCredentials) }.count == 5)
        #expect(results.filter { $0 == .refused(.throttled(retryAfter: 900)) }.count == 7)
    }
}
