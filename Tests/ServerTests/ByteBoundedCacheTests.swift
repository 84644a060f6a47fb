import Testing

@testable import HerdwatchServer

@Suite struct ByteBoundedCacheTests {
    @Test func evictsTheLeastRecentlyUsedUntilTheBytesFit() {
        var cache = ByteBoundedCache<Int>(capacity: 30)
        cache.set(1, bytes: 10, for: "a")
        cache.set(2, bytes: 10, for: "b")
        cache.set(3, bytes: 10, for: "c")
        #expect(cache.value(for: "a") == 1)  // "b" is now the least recently used.
        cache.set(4, bytes: 15, for: "d")
        #expect(cache.value(for: "b") == nil)
        #expect(cache.value(for: "c") == nil)
        #expect(cache.value(for: "a") == 1)
        #expect(cache.value(for: "d") == 4)
        #expect(cache.totalBytes == 25)
        #expect(cache.count == 2)
    }

    @Test func replacingAValueRecountsItsBytes() {
        var cache = ByteBoundedCache<Int>(capacity: 30)
        cache.set(1, bytes: 10, for: "a")
        cache.set(2, bytes: 25, for: "a")
        #expect(cache.totalBytes == 25)
        #expect(cache.value(for: "a") == 2)
        cache.set(3, bytes: 31, for: "a")  // Larger than the whole cache: not kept, and the old value goes.
        #expect(cache.value(for: "a") == nil)
        #expect(cache.totalBytes == 0)
        cache.set(4, bytes: 5, for: "b")
        cache.remove("b")
        #expect(cache.count == 0 && cache.totalBytes == 0)
    }
}
