import CZBar
import Foundation
import Testing

@testable import MediaDecoding

@Suite struct QRCodeReaderTests {
    static let media = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/media")

    private func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.media.appendingPathComponent(name)))
    }

    /// The PNGs are made by `Fixtures/media/make-qr.sh` with qrencode.
    @Test(arguments: [
        ("qr-shortener.png", "https://shrt.example/x7Qa"),
        ("qr-bare-host.png", "invite.example/nukecrew"),
    ])
    func decodesTheCodeInAPNG(file: String, text: String) throws {
        #expect(try QRCodeReader.texts(in: fixture(file)) == [text])
    }

    @Test func decodesTheCodeInAJPEG() throws {
        // The PNG fixture's pixels, compressed as a greyscale JPEG at quality 75 by libjpeg-turbo.
        let grey = try GreyImage(decoding: fixture("qr-shortener.png"), maxPixels: 1 << 20)
        guard let compressor = tjInitCompress() else { throw MediaDecodingError(.corrupt, "no JPEG encoder") }
        defer { tjDestroy(compressor) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = grey.pixels.withUnsafeBufferPointer {
            tjCompress2(
                compressor, $0.baseAddress, Int32(grey.width), 0, Int32(grey.height), Int32(TJPF_GRAY.rawValue), &output,
                &size, Int32(TJSAMP_GRAY.rawValue), 75, 0)
        }
        try #require(status == 0)
        defer { tjFree(output) }
        let jpeg = Array(UnsafeBufferPointer(start: output, count: Int(size)))
        #expect(jpeg.starts(with: [0xFF, 0xD8, 0xFF]))
        #expect(try QRCodeReader.texts(in: jpeg) == ["https://shrt.example/x7Qa"])
    }

    @Test func aPictureWithoutACodeHasNone() throws {
        // A grey gradient, as PNG: a real image with nothing to find.
        #expect(try QRCodeReader.texts(in: PNGWriter.gradient(width: 64, height: 48)) == [])
    }

    @Test func dimensionsAreCheckedBeforeAnyPixelIsDecoded() throws {
        let png = try fixture("qr-shortener.png")
        #expect(
            throws: MediaDecodingError(.tooLarge, "the image is 198×198 pixels, more than the 10000 read for QR codes")
        ) {
            try QRCodeReader.texts(in: png, maxPixels: 10_000)
        }
        // A header claiming 100,000 × 100,000 pixels in a file of a few bytes.
        var bomb = Array(png.prefix(33))
        bomb.replaceSubrange(16..<24, with: [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0])
        #expect(throws: MediaDecodingError.self) { try QRCodeReader.texts(in: bomb) }
    }

    @Test(arguments: [
        [UInt8](),
        Array("GIF89a".utf8) + [0, 0],
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13],
        [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A],
    ])
    func brokenOrOtherImagesAreErrorsNotCodes(bytes: [UInt8]) {
        #expect(throws: MediaDecodingError.self) { try QRCodeReader.texts(in: bytes) }
    }
}

/// Writes an 8-bit greyscale PNG with stored (uncompressed) deflate blocks: enough to make test images.
enum PNGWriter {
    static func gradient(width: Int, height: Int) -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)  // filter: none
            for x in 0..<width { raw.append(UInt8((x * 255 / max(1, width - 1) + y) % 256)) }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", be32(width) + be32(height) + [8, 0, 0, 0, 0])
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return png
    }

    private static func be32(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(data.count) + body + be32(Int(crc32(body)))
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out += [
                final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF),
            ]
            out += data[offset..<offset + length]
            offset += length
        } while offset < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + be32(Int(b << 16 | a))
    }
}
