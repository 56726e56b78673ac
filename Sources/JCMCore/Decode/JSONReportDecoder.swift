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
            return .malformed(RawReading(meterID: nil, timestamp: nil, value: nil, unit: nil, location: location, raw: rawText),
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
        let extra = others.isEmpty ? nil : "{" + others.map { JSONText.string($0) + ":" + (object[$0]?.compactText ?? "null") }.joined(separator: ",") + "}"
        return .reading(RawReading(meterID: text("meter_id"), timestamp: text("timestamp"), value: text("value"), unit: text("unit"),
                                   extra: extra, location: location, raw: rawText))
    }
}
