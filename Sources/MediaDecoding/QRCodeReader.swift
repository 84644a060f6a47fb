import CZBar

/// Reads the QR codes in an image, so that a link a post hides in a picture (the November 2024 wave's QR codes
/// led to a Discord invite) can be checked like a link in its text.
///
/// PNG (libpng) and JPEG (libjpeg-turbo) are decoded to greyscale and scanned with zbar. The image's size is read
/// from its header first: an image of more than `maxPixels` is refused before any pixel is decoded, so a small
/// file that claims huge dimensions costs nothing. Every call has its own decoder and scanner: nothing is shared
/// between threads.
public enum QRCodeReader {
    /// The texts of the QR codes found in `bytes`, in the order zbar reports them.
    public static func texts(in bytes: [UInt8], maxPixels: Int = 16 << 20) throws(MediaDecodingError) -> [String] {
        let image = try GreyImage(decoding: bytes, maxPixels: maxPixels)
        return scan(image)
    }

    private static func scan(_ image: GreyImage) -> [String] {
        guard let scanner = zbar_image_scanner_create() else { return [] }
        defer { zbar_image_scanner_destroy(scanner) }
        // QR codes only: other symbologies (EAN, Code 128…) find false codes in photos.
        zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0)
        zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)
        guard let zbarImage = zbar_image_create() else { return [] }
        defer { zbar_image_destroy(zbarImage) }
        zbar_image_set_format(zbarImage, GreyImage.y800)
        zbar_image_set_size(zbarImage, UInt32(image.width), UInt32(image.height))
        return image.pixels.withUnsafeBufferPointer { pixels -> [String] in
            // zbar reads the pixels during `zbar_scan_image` only; no cleanup handler: the array owns them.
            zbar_image_set_data(zbarImage, pixels.baseAddress, UInt(pixels.count), nil)
            guard zbar_scan_image(scanner, zbarImage) > 0 else { return [] }
            var texts: [String] = []
            var symbol = zbar_image_first_symbol(zbarImage)
            while let current = symbol {
                if zbar_symbol_get_type(current) == ZBAR_QRCODE, let data = zbar_symbol_get_data(current) {
                    let length = Int(zbar_symbol_get_data_length(current))
                    let buffer = UnsafeRawBufferPointer(start: data, count: length)
                    texts.append(String(decoding: buffer, as: UTF8.self))
                }
                symbol = zbar_symbol_next(current)
            }
            return texts
        }
    }
}

/// Why an image could not be read.
public struct MediaDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unsupportedFormat = "unsupported_format"
        case tooLarge = "too_large"
        case corrupt
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
