import Foundation
import NIOHTTP1
import Testing

@testable import herdwatch

/// How long a push waits on a 429, from the headers servers send.
@Suite struct PushRetryDelayTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func retryAfterInSecondsOrAsAnHTTPDate() {
        #expect(
            MastodonAdminClient.retryDelay(HTTPHeaders([("Retry-After", "7")]), attempt: 1, now: now) == .seconds(7))
        let date = "Fri, 15 Jan 2027 08:00:30 GMT"
        let parsed = try? Date("2027-01-15T08:00:30Z", strategy: .iso8601)
        let tenBefore = parsed.map { $0 - 10 } ?? now
        #expect(
            MastodonAdminClient.retryDelay(HTTPHeaders([("Retry-After", date)]), attempt: 1, now: tenBefore)
                == .seconds(10))
    }

    @Test func mastodonsRateLimitResetWhenThereIsNoRetryAfter() {
        let headers = HTTPHeaders([("X-RateLimit-Reset", "2027-01-15T08:05:00.000Z")])
        let before = try? Date("2027-01-15T08:04:15Z", strategy: .iso8601)
        #expect(MastodonAdminClient.retryDelay(headers, attempt: 1, now: before ?? now) == .seconds(45))
        #expect(MastodonAdminClient.retryDelay(headers, attempt: 1, now: (before ?? now) + 3600) == .zero)
    }

    @Test func doublingWaitsWhenTheServerSaysNothing() {
        #expect(
            (1...4).map { MastodonAdminClient.retryDelay([:], attempt: $0, now: now) } == [
                .seconds(1), .seconds(2), .seconds(4), .seconds(8),
            ])
    }
}
