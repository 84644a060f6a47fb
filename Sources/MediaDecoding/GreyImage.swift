import CZBar

/// An image as 8-bit grey pixels, row after row: what zbar scans.
struct GreyImage {
    /// zbar's name for 8-bit greyscale, the fourcc `Y800`.
    static let y800: UInt = 0x3030_3859

    let width: Int
    let height: Int
    let pixels: [UInt8]

    init(decoding bytes: [UInt8], maxPixels: Int) throws(MediaDecodingError) {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            (width, height, pixels) = try Self.png(bytes, maxPixels: maxPixels)
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            (width, height, pixels) = try Self.jpeg(bytes, maxPixels: maxPixels)
        } else {
            throw MediaDecodingError(
                .unsupportedFormat, "the image is neither PNG nor JPEG, the formats read for QR codes")
        }
    }

    private static func checkSize(_ width: Int, _ height: Int, maxPixels: Int) throws(MediaDecodingError) {
        guard width > 0, height > 0 else { throw MediaDecodingError(.corrupt, "the image has no pixels") }
        guard width <= maxPixels / height else {
            throw MediaDecodingError(
                .tooLarge, "the image is \(width)×\(height) pixels, more than the \(maxPixels) read for QR codes")
        }
    }

    private static func png(_ bytes: [UInt8], maxPixels: Int) throws(MediaDecodingError) -> (Int, Int, [UInt8]) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let began = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else { throw MediaDecodingError(.corrupt, "the PNG image cannot be read") }
        let width = Int(image.width)
        let height = Int(image.height)
        do {
            try checkSize(width, height, maxPixels: maxPixels)
        } catch {
            png_image_free(&image)
            throw error
        }
        image.format = UInt32(PNG_FORMAT_GRAY)
        // Transparent pixels are laid on white, where a dark code stays readable.
        var white = png_color(red: 255, green: 255, blue: 255)
        var pixels = [UInt8](repeating: 255, count: width * height)
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, &white, $0.baseAddress, 0, nil) }
        guard finished != 0 else {
            png_image_free(&image)
            throw MediaDecodingError(.corrupt, "the PNG image's pixels cannot be read")
        }
        return (width, height, pixels)
    }

    private static func jpeg(_ bytes: [UInt8], maxPixels: Int) throws(MediaDecodingError) -> (Int, Int, [UInt8]) {
        guard let decoder = tjInitDecompress() else { throw MediaDecodingError(.corrupt, "no JPEG decoder") }
        defer { tjDestroy(decoder) }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(decoder, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else { throw MediaDecodingError(.corrupt, "the JPEG image cannot be read") }
        try checkSize(Int(width), Int(height), maxPixels: maxPixels)
        var pixels = [UInt8](repeating: 255, count: Int(width) * Int(height))
        let decoded = bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                tjDecompress2(
                    decoder, source.baseAddress, UInt(source.count), target.baseAddress, width, 0, height,
                    Int32(TJPF_GRAY.rawValue), 0)
            }
        }
        guard decoded == 0 else { throw MediaDecodingError(.corrupt, "the JPEG image's pixels cannot be read") }
        return (Int(width), Int(height), pixels)
    }
}
