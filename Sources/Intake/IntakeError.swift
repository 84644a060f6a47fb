/// Input or rules a replay cannot read. The description says what and where, and how to fix it.
public struct IntakeError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
