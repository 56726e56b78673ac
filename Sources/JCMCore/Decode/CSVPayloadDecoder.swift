import Foundation

/// CSV over HTTP (`format = "csv"`): a header row naming the columns, then one reading per data
/// row. Columns are chosen by name (`csv.value`, `csv.timestamp`, `csv.unit_column`), so a
/// gateway that adds or reorders columns is still read right. A row that cannot be read (too few
/// fields) is its own rejection; the others are kept.
enum CSVPayloadDecoder {
    typealias Failure = JSONMeterDecoder.Failure

    static func decode(_ body: [UInt8], columns: Config.CSVColumns, meterID: String) -> Result<DecodedPayload, Failure>
    {
        guard String(validating: body, as: UTF8.self) != nil else {
            return .failure(Failure(reason: .payloadInvalid, detail: "response is not UTF-8 text"))
        }
        var reader = CSVReader(source: MemorySource(body), maxRecordBytes: 1 << 16, bufferSize: 1 << 16)
        do {
            guard try reader.next() else {
                return .failure(Failure(reason: .missingField, detail: "the response is empty: no header row"))
            }
            let header = reader.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            func column(_ name: String?) -> Result<Int?, Failure> {
                guard let name else { return .success(nil) }
                guard let i = header.firstIndex(of: name) else {
                    return .failure(
                        Failure(
                            reason: .missingField,
                            detail: "no column \"\(name)\" in the header (\(reader.rawRecord.prefix(120)))"))
                }
                return .success(i)
            }
            let value: Int
            let time: Int?
            let unit: Int?
            switch (column(columns.value), column(columns.timestamp), column(columns.unitColumn)) {
            case (.success(let v?), .success(let t), .success(let u)): (value, time, unit) = (v, t, u)
            case (.failure(let f), _, _), (_, .failure(let f), _), (_, _, .failure(let f)): return .failure(f)
            default: return .failure(Failure(reason: .missingField, detail: "no value column"))
            }
            var out = DecodedPayload()
            let needed = max(value, time ?? 0, unit ?? 0)
            while try reader.next() {
                guard reader.fieldCount > needed else {
                    out.rejected.append(
                        Rejection(
                            raw: RawReading(
                                meterID: meterID, timestamp: nil, value: nil, unit: nil,
                                location: "\(meterID):\(reader.line)", raw: reader.rawRecord),
                            reason: .recordMalformed,
                            detail:
                                "line \(reader.line) has \(reader.fieldCount) fields, column \"\(header[needed])\" is field \(needed + 1)"
                        ))
                    continue
                }
                out.readings.append(
                    RawReading(
                        meterID: meterID, timestamp: time.map(reader.field),
                        value: reader.field(value).trimmingCharacters(in: .whitespaces),
                        unit: columns.unit ?? unit.map(reader.field), location: "\(meterID):\(reader.line)",
                        raw: reader.rawRecord))
            }
            if out.readings.isEmpty, out.rejected.isEmpty {
                return .failure(Failure(reason: .missingField, detail: "the response has a header and no data rows"))
            }
            return .success(out)
        } catch {
            return .failure(
                Failure(reason: .payloadInvalid, detail: "response is not CSV: line \(error.line): \(error.message)"))
        }
    }
}
