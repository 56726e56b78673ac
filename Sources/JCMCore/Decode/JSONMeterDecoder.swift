/// Turns a meter's JSON response into a reading, by the paths its configuration names.
/// A payload that is not what the mapping expects is a failure that says which path, never a
/// silent zero: an HTML error page served with 200, truncated JSON, a missing field, a null.
public enum JSONMeterDecoder {
    public struct Failure: Error, Equatable, Sendable {
        public var reason: ReasonCode
        public var detail: String
    }

    public static func decode(_ body: [UInt8], mapping: Config.JSONMapping, meterID: String) -> Result<
        RawReading, Failure
    > {
        PayloadJSON.parse(body).flatMap { decode(document: $0, body: body, mapping: mapping, meterID: meterID) }
    }

    /// The mapping applied to a document already parsed from `body` (a profile's, once it has
    /// checked the status beside the value, or taken it out of an envelope).
    static func decode(document: JSONValue, body: [UInt8], mapping: Config.JSONMapping, meterID: String) -> Result<
        RawReading, Failure
    > {
        let excerpt = String(decoding: body.prefix(2_000), as: UTF8.self)
        guard let value = document.value(at: mapping.value) else {
            return .failure(Failure(reason: .missingField, detail: "no value at path \"\(mapping.value)\""))
        }
        let valueText: String
        switch value {
        case .number(let n): valueText = n
        case .string(let s): valueText = s
        case .null:
            return .failure(Failure(reason: .missingField, detail: "value at path \"\(mapping.value)\" is null"))
        default:
            return .failure(
                Failure(
                    reason: .valueNotNumeric,
                    detail: "value at path \"\(mapping.value)\" is \(value.compactText.prefix(80)), not a number"))
        }
        var unit = mapping.unit
        if let path = mapping.unitPath {
            guard case .string(let u)? = document.value(at: path) else {
                return .failure(Failure(reason: .missingField, detail: "no unit string at path \"\(path)\""))
            }
            unit = u
        }
        var timestamp: String?
        if let path = mapping.timestamp {
            switch document.value(at: path) {
            case .string(let s)?:
                timestamp = s
            case .number(let n)?:
                guard let seconds = ExactDecimal(parsing: n), let micros = seconds.shifted(by: 6),
                    let whole = Int64(exactly: micros.significand / ExactDecimal.pow10(micros.scale))
                else {
                    return .failure(
                        Failure(
                            reason: .timestampInvalid, detail: "epoch seconds \(n) at path \"\(path)\" out of range"))
                }
                timestamp = Timestamp(microseconds: whole).description
            default:
                return .failure(Failure(reason: .missingField, detail: "no timestamp at path \"\(path)\""))
            }
        }
        return .success(
            RawReading(
                meterID: meterID, timestamp: timestamp, value: valueText, unit: unit, location: meterID, raw: excerpt))
    }
}
