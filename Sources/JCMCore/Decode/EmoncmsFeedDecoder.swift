/// emoncms `GET /feed/data.json?id=N&start=ms&end=ms&interval=s`: `[[ms, value], ...]`, one
/// point per interval, in the feed's unit (emoncms units are free text: the meter's own is
/// used). A null value is an interval the feed has no data for: skipped. A refused request is
/// an object (`{"success": false, "message": "..."}`), said with its message.
enum EmoncmsFeedDecoder {
    typealias Failure = JSONMeterDecoder.Failure

    static func decode(_ body: [UInt8], meterID: String) -> Result<DecodedPayload, Failure> {
        let document: JSONValue
        switch PayloadJSON.parse(body) {
        case .success(let d): document = d
        case .failure(let f): return .failure(f)
        }
        guard case .array(let points) = document else {
            let message = document["message"]?.stringValue.map { ": \($0.prefix(200))" } ?? ""
            return .failure(
                Failure(
                    reason: .payloadInvalid,
                    detail:
                        "response is \(document.compactText.prefix(80)), not an array of [ms, value] points\(message)"))
        }
        if points.isEmpty {
            return .failure(
                Failure(reason: .missingField, detail: "the response holds no data points (an empty array)"))
        }
        var out = DecodedPayload()
        for (i, point) in points.enumerated() {
            func refuse(_ reason: ReasonCode, _ detail: String) {
                out.rejected.append(
                    Rejection(
                        raw: RawReading(
                            meterID: meterID, timestamp: nil, value: nil, unit: nil, location: meterID,
                            raw: PayloadJSON.excerpt(point)),
                        reason: reason, detail: detail))
            }
            guard case .array(let pair) = point, pair.count == 2 else {
                refuse(.recordMalformed, "element \(i) is \(point.compactText.prefix(80)), not [ms, value]")
                continue
            }
            let time: String
            switch PayloadJSON.epoch(pair[0], at: "\(i).0", millis: true) {
            case .success(let t): time = t
            case .failure(let f):
                refuse(f.reason, f.detail)
                continue
            }
            switch PayloadJSON.numberText(pair[1], at: "\(i).1") {
            case .success(nil): out.skipped += 1
            case .success(let value?):
                out.readings.append(
                    RawReading(
                        meterID: meterID, timestamp: time, value: value, unit: nil, location: meterID,
                        raw: PayloadJSON.excerpt(point)))
            case .failure(let f): refuse(f.reason, f.detail)
            }
        }
        return .success(out)
    }
}
