import Foundation

/// RFC 4180 CSV as the list tools write it: comma separated, `"` quoting with `""` inside, LF or CRLF line ends,
/// an optional byte-order mark. Each record keeps the line it starts on, for rejections.
struct CSVTable {
    struct Record {
        var line: Int
        var fields: [String]
    }

    var records: [Record]

    /// Reads every record; blank lines are skipped. Throws when a quoted field is never closed.
    init(parsing text: String) throws(BlocklistError) {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var quoted = false
        var fieldWasQuoted = false
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var position = 0

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
                        field.append(byte)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\"") where field.isEmpty && !fieldWasQuoted:
                quoted = true
                fieldWasQuoted = true
            case 0x0D where position < bytes.count && bytes[position] == 0x0A:
                break
            case 0x0A:
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(byte)
            }
        }
        if quoted {
            throw BlocklistError(
                .malformedList, "a quoted field is never closed; close its `\"` or remove it",
                location: .line(recordLine))
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        self.records = records
    }

    /// One CSV line (without its line end), quoting what needs it.
    static func row(_ fields: [String]) -> String {
        fields.map { field in
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
                return field
            }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",")
    }
}
