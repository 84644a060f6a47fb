import Foundation
import Testing

@testable import ActivityPub

/// The `Date` header, read before anything is authenticated: IMF-fixdate only, by hand.
@Suite struct HTTPDateTests {
    @Test(arguments: [
        ("Tue, 20 Feb 2024 10:00:00 GMT", 1_708_423_200.0), ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Wed, 01 Jan 2025 00:00:00 GMT", 1_735_689_600), ("Thu, 29 Feb 2024 23:59:59 GMT", 1_709_251_199),
        ("  Sun, 06 Nov 1994 08:49:37 GMT ", 784_111_777),
    ])
    func readsIMFFixdate(text: String, seconds: Double) {
        #expect(HTTPDate.parse(text) == Date(timeIntervalSince1970: seconds))
    }

    @Test func writesWhatItReads() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        for seconds in stride(from: -86_400 * 400, through: 4_102_444_800, by: 7_777_777) {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = HTTPDate.format(date)
            #expect(HTTPDate.parse(text) == date, "\(text)")
            // The weekday and fields agree with Foundation's calendar.
            let parts = calendar.dateComponents([.weekday, .day, .year], from: date)
            let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][parts.weekday! - 1]
            #expect(text.hasPrefix("\(weekday), "), "\(text)")
            #expect(text.contains(" \(parts.year!) "), "\(text)")
        }
    }

    @Test(arguments: [
        "", "Tue, 20 Feb 2024 10:00:00 UTC", "Tue, 30 Feb 2024 10:00:00 GMT", "Tue, 20 Foo 2024 10:00:00 GMT",
        "Tuesday, 20-Feb-24 10:00:00 GMT", "Tue Feb 20 10:00:00 2024", "Tue, 20 Feb 2024 24:00:00 GMT",
        "Tue, 2x Feb 2024 10:00:00 GMT", "Tue, 29 Feb 2023 10:00:00 GMT", "Tue, 20 Feb 2024 10:00:00 GMT\u{0}",
        "Tue, 20 Feb 2024 10:60:00 GMT", "Xyz, 20 Feb 2024 10:00:00 GMT",
    ])
    func refusesAnythingElse(text: String) {
        #expect(HTTPDate.parse(text) == nil, "\(text)")
    }
}
