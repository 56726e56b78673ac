/// The steps every JSON gateway decoder shares, each failing with the path it was at: a
/// profile's mistakes read the same whichever vendor made them.
enum PayloadJSON {
    typealias Failure = JSONMeterDecoder.Failure

    static func parse(_ body: [UInt8]) -> Result<JSONValue, Failure> {
        do {
            return .success(try JSON.parse(body))
        } catch {
            return .failure(Failure(reason: .payloadInvalid, detail: "response is not JSON: \(error)"))
        }
    }

    /// The value at `path` of `document`, which must be there.
    static func required(_ document: JSONValue, _ path: String) -> Result<JSONValue, Failure> {
        guard let v = document.value(at: path) else {
            return .failure(Failure(reason: .missingField, detail: "no value at path \"\(path)\""))
        }
        return .success(v)
    }

    /// A number, or a string holding one, as written; nil for null (no data). `path` names it.
    static func numberText(_ v: JSONValue, at path: String) -> Result<String?, Failure> {
        switch v {
        case .number(let n): .success(n)
        case .string(let s): .success(s)
        case .null: .success(nil)
        default:
            .failure(
                Failure(
                    reason: .valueNotNumeric,
                    detail: "value at path \"\(path)\" is \(v.compactText.prefix(80)), not a number"))
        }
    }

    /// A value that must be a number: null is a missing field.
    static func requiredNumber(_ document: JSONValue, _ path: String) -> Result<String, Failure> {
        required(document, path).flatMap { numberText($0, at: path) }.flatMap { text in
            text.map { .success($0) }
                ?? .failure(Failure(reason: .missingField, detail: "value at path \"\(path)\" is null"))
        }
    }

    static func requiredString(_ document: JSONValue, _ path: String) -> Result<String, Failure> {
        guard case .string(let s)? = document.value(at: path) else {
            return .failure(Failure(reason: .missingField, detail: "no string at path \"\(path)\""))
        }
        return .success(s)
    }

    /// Epoch time (seconds, or milliseconds with `millis`) as RFC 3339 text, for the validator.
    static func epoch(_ v: JSONValue?, at path: String, millis: Bool = false) -> Result<String, Failure> {
        guard case .number(let n)? = v else {
            return .failure(
                Failure(
                    reason: .missingField, detail: "no epoch \(millis ? "milliseconds" : "seconds") at path \"\(path)\""
                ))
        }
        guard let t = ExactDecimal(parsing: n), let micros = t.shifted(by: millis ? 3 : 6),
            let whole = Int64(exactly: micros.significand / ExactDecimal.pow10(micros.scale))
        else {
            return .failure(
                Failure(
                    reason: .timestampInvalid,
                    detail: "epoch \(millis ? "milliseconds" : "seconds") \(n) at path \"\(path)\" out of range"))
        }
        return .success(Timestamp(microseconds: whole).description)
    }

    /// The text kept with a reading or a rejection: the element as the vendor wrote it, bounded.
    static func excerpt(_ v: JSONValue) -> String { String(v.compactText.prefix(2_000)) }
}
