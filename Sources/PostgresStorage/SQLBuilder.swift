import PostgresNIO

/// A statement whose shape depends on its input (a case filter, optional conditions): SQL text written by the
/// store, every value a bound parameter, never spliced into the text.
struct SQLBuilder {
    private(set) var sql: String
    private var binds = PostgresBindings()

    init(_ sql: String) {
        self.sql = sql
    }

    mutating func append(_ text: String) {
        sql += text
    }

    /// Binds `value` and appends its placeholder (`$1`, `$2`, …).
    mutating func append(binding value: some PostgresDynamicTypeEncodable) {
        binds.append(value)
        sql += "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
