import ActivityPub

/// The error code a signature operation fails with, or nil when it succeeds.
func code<T>(of body: () throws(SignatureError) -> T) -> SignatureError.Code? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.code
    }
}
