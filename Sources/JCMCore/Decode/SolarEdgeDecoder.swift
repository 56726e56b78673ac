/// SolarEdge monitoring API (`https://monitoringapi.solaredge.com/site/{id}/...?api_key=...`).
/// Its times are the site's local time without an offset ("2013-10-01 08:00:00"), read in the
/// meter's `timezone`. Energy is in the response's `unit` (Wh unless asked otherwise). A value
/// that is null or absent is "no data" (night, the future, before the site existed): skipped.
enum SolarEdgeDecoder {
    typealias Failure = JSONMeterDecoder.Failure

    /// `GET /site/{id}/overview`: the site's lifetime energy, at its last update.
    static func overview(_ body: [UInt8], meterID: String) -> Result<RawReading, Failure> {
        PayloadJSON.parse(body).flatMap { document in
            PayloadJSON.requiredNumber(document, "overview.lifeTimeData.energy").flatMap { value in
                PayloadJSON.requiredString(document, "overview.lastUpdateTime").map { time in
                    RawReading(
                        meterID: meterID, timestamp: time, value: value, unit: "Wh", location: meterID,
                        raw: PayloadJSON.excerpt(document["overview"] ?? document))
                }
            }
        }
    }

    /// `energy`, `energyDetails` and `meters`: one reading per `values[]` element of the series
    /// the selector names.
    /// `meters`: nil for `energy`; else `energyDetails` (false) or `meters` (true), and the meter
    /// type and serial chosen.
    static func series(
        _ body: [UInt8], meters detailsOfMeters: Bool?, meterType: String?, serial: String?, meterID: String
    ) -> Result<
        DecodedPayload, Failure
    > {
        let document: JSONValue
        switch PayloadJSON.parse(body) {
        case .success(let d): document = d
        case .failure(let f): return .failure(f)
        }
        let root: String
        let valuesPath: String
        switch detailsOfMeters {
        case nil:
            root = "energy"
            valuesPath = "energy.values"
        case let details?:
            root = details ? "meterEnergyDetails" : "energyDetails"
            guard case .array(let meters)? = document.value(at: "\(root).meters") else {
                return .failure(Failure(reason: .missingField, detail: "no array at path \"\(root).meters\""))
            }
            let typeKey = details ? "meterType" : "type"
            let wanted = (meterType ?? "").lowercased()
            let matches = meters.indices.filter { i in
                guard case .string(let t)? = meters[i][typeKey], t.lowercased() == wanted else { return false }
                if let serial { return meters[i]["meterSerialNumber"] == .string(serial) }
                return true
            }
            let named =
                meterType.map {
                    "\(typeKey) \"\($0)\"" + (serial.map { ", meterSerialNumber \"\($0)\"" } ?? "")
                } ?? typeKey
            guard let index = matches.first else {
                return .failure(Failure(reason: .missingField, detail: "no element of \(named) in \"\(root).meters\""))
            }
            if matches.count > 1 {
                return .failure(
                    Failure(
                        reason: .payloadInvalid,
                        detail:
                            "\(matches.count) elements of \(named) in \"\(root).meters\"; set solaredge.serial to choose one"
                    ))
            }
            valuesPath = "\(root).meters.\(index).values"
        }
        guard case .array(let values)? = document.value(at: valuesPath) else {
            return .failure(Failure(reason: .missingField, detail: "no array at path \"\(valuesPath)\""))
        }
        if values.isEmpty {
            return .failure(
                Failure(reason: .missingField, detail: "\"\(valuesPath)\" is empty: the response holds no interval"))
        }
        let unit: String
        switch document.value(at: "\(root).unit") {
        case .string(let u)?: unit = u
        case nil: unit = "Wh"  // the API's default when the request names none
        default: return .failure(Failure(reason: .missingField, detail: "\"\(root).unit\" is not a string"))
        }
        var out = DecodedPayload()
        if case .string(let unit)? = document.value(at: "\(root).timeUnit") {
            out.periodMicroseconds = Self.period(unit)
        }
        for (i, element) in values.enumerated() {
            let path = "\(valuesPath).\(i)"
            func refuse(_ reason: ReasonCode, _ detail: String) {
                out.rejected.append(
                    Rejection(
                        raw: RawReading(
                            meterID: meterID, timestamp: element["date"]?.stringValue, value: nil, unit: unit,
                            location: meterID, raw: PayloadJSON.excerpt(element)),
                        reason: reason, detail: detail))
            }
            guard case .string(let date)? = element["date"] else {
                refuse(.missingField, "no date string at path \"\(path).date\"")
                continue
            }
            switch PayloadJSON.numberText(element["value"] ?? .null, at: "\(path).value") {
            case .success(nil): out.skipped += 1
            case .success(let value?):
                out.readings.append(
                    RawReading(
                        meterID: meterID, timestamp: date, value: value, unit: unit, location: meterID,
                        raw: PayloadJSON.excerpt(element)))
            case .failure(let f): refuse(f.reason, f.detail)
            }
        }
        return .success(out)
    }

    /// The length of a `timeUnit`, at most (a month of 31 days, a leap year).
    static func period(_ timeUnit: String) -> Int64? {
        let seconds: Int64? =
            switch timeUnit {
            case "QUARTER_OF_AN_HOUR": 900
            case "HOUR": 3_600
            case "DAY": 86_400
            case "WEEK": 7 * 86_400
            case "MONTH": 31 * 86_400
            case "YEAR": 366 * 86_400
            default: nil
            }
        return seconds.map { $0 * 1_000_000 }
    }
}
