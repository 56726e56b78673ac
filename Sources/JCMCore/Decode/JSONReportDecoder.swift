/// The JSON report: `{"readings": [{"meter_id": …, "timestamp": …, "value": …, "unit": …}, …]}`.
/// `value` may be a number (kept as written) or a numeric string; other fields of an element are
/// kept as `extra`. Streamed element by element.
public struct JSONReportDecoder<Source: ByteSource>: ReportDecoder {
    private var reader: JSONReportReader<Source>
    private let fileName: String

    public init(source: Source, fileName: String) {
        self.reader = JSONReportReader(source: source)
        self.fileName = fileName
    }

    public var bytesRead: Int { reader.sourceBytesRead }

    public mutating func next() throws(ReportFailure) -> ReportItem? {
        let element: (value: JSONValue, line: Int)?
        do {
            element = try reader.next()
        } catch let error as JSONParseError {
            throw ReportFailure(line: error.line, message: error.message)
        } catch {
            throw ReportFailure(line: 0, message: "\(error)")
        }
        guard let element else { return nil }
        let location = "\(fileName):\(element.line)"
        let rawText = reader.lastElementText
        guard case .object(let object) = element.value else {
            return .malformed(
                RawReading(meterID: nil, timestamp: nil, value: nil, unit: nil, location: location, raw: rawText),
                detail: "a reading must be a JSON object")
        }
        func text(_ key: String) -> String? {
            switch object[key] {
            case .string(let s): return s
            case .number(let n): return n
            case .bool(let b): return String(b)
            case .null, nil: return nil
            case .some(let other): return other.compactText
            }
        }
        let known: Set<String> = ["meter_id", "timestamp", "value", "unit"]
        let others = object.keys.filter { !known.contains($0) }
        if let why = others.lazy.compactMap({ Self.unstorable(object[$0] ?? .null, key: $0) }).first {
            return .malformed(
                RawReading(
                    meterID: text("meter_id"), timestamp: text("timestamp"), value: text("value"), unit: text("unit"),
                    location: location, raw: rawText), detail: why)
        }
        let extra =
            others.isEmpty
            ? nil
            : "{"
                + others.map { JSONText.string($0) + ":" + (object[$0]?.compactText ?? "null") }.joined(separator: ",")
                + "}"
        return .reading(
            RawReading(
                meterID: text("meter_id"), timestamp: text("timestamp"), value: text("value"), unit: text("unit"),
                extra: extra, location: location, raw: rawText))
    }
}

extension JSONReportDecoder {
    /// What PostgreSQL's jsonb refuses in an extra field (a NUL character, a number beyond its
    /// numeric range), so that one odd field costs one row, not its whole transaction.
    static func unstorable(_ value: JSONValue, key: String) -> String? {
        switch value {
        case .string(let s):
            return s.contains("\0") || key.contains("\0")
                ? "field \"\(key)\" holds a NUL character, which PostgreSQL cannot store" : nil
        case .number(let n):
            let exponent =
                n.split(whereSeparator: { $0 == "e" || $0 == "E" }).dropFirst().first.flatMap { Int($0) } ?? 0
            return abs(exponent) > 100_000
                ? "field \"\(key)\" holds \(n.prefix(40)), beyond PostgreSQL's numeric range" : nil
        case .array(let items):
            return items.lazy.compactMap { unstorable($0, key: key) }.first
        case .object(let o):
            return o.keys.lazy.compactMap { unstorable(o[$0] ?? .null, key: $0) }.first
        case .null, .bool:
            return key.contains("\0") ? "field name holds a NUL character" : nil
        }
    }
}
