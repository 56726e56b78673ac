/// OpenEMS Edge, through its REST-Api controller (`/rest`, port 8084 or 80):
/// - `GET /rest/channel/<component>/<channel>` answers one channel's value now:
///   `{"type":"LONG","accessMode":"RO","text":"","unit":"Wh_Σ","value":1284310}` (with
///   `"address"` when a regular expression in the url matched several, as an array);
/// - `POST /jsonrpc` with `queryHistoricTimeseriesEnergyPerPeriod` answers the energy of each
///   period (`resolution`) of the requested dates, per channel:
///   `{"jsonrpc":"2.0","id":"…","result":{"timestamps":["2026-06-01T00:00:00Z",…],
///   "data":{"_sum/ProductionActiveEnergy":[812,null,…]}}}`: each value is the energy of the
///   period that starts at its timestamp (the last value of the period less its first), null
///   when the Edge has no data for it.
enum OpenEMSDecoder {
    typealias Failure = JSONMeterDecoder.Failure

    /// OpenEMS unit symbols that name a unit of ours differently: a cumulated counter's "Wh_Σ".
    static func unit(_ symbol: String) -> String? {
        switch symbol {
        case "": nil  // a unitless channel: the meter's own unit
        case "Wh_Σ": "Wh"
        default: symbol
        }
    }

    static func fail<T>(_ reason: ReasonCode, _ detail: String) -> Result<T, Failure> {
        .failure(Failure(reason: reason, detail: detail))
    }

    static func channel(_ body: [UInt8], meterID: String) -> Result<RawReading, Failure> {
        var document: JSONValue
        switch PayloadJSON.parse(body) {
        case .success(let d): document = d
        case .failure(let f): return .failure(f)
        }
        if case .array(let channels) = document {
            guard channels.count == 1 else {
                return fail(.payloadInvalid, "the url matched \(channels.count) channels; name one channel in it")
            }
            document = channels[0]
        }
        let address = document["address"]?.stringValue.map { " \($0)" } ?? ""
        if case .null? = document["value"] {
            return fail(
                .missingField,
                "channel\(address) has no value (null: the Edge has not read it from its device)")
        }
        let value: String
        switch PayloadJSON.requiredNumber(document, "value") {
        case .success(let v): value = v
        case .failure(let f): return .failure(f)
        }
        let unit = document["unit"]?.stringValue.flatMap(Self.unit)
        return .success(
            RawReading(
                meterID: meterID, timestamp: nil, value: value, unit: unit, location: meterID,
                raw: PayloadJSON.excerpt(document)))
    }

    /// `channel`: the channel address read, needed when `data` holds several.
    static func energyPerPeriod(_ body: [UInt8], channel: String?, meterID: String) -> Result<DecodedPayload, Failure> {
        let result: JSONValue
        switch PayloadJSON.parse(body).flatMap(JSONRPC.result) {
        case .success(let r): result = r
        case .failure(let f): return .failure(f)
        }
        guard case .array(let timestamps)? = result["timestamps"] else {
            return fail(.missingField, "no array at path \"result.timestamps\"")
        }
        guard case .object(let data)? = result["data"] else {
            return fail(.missingField, "no object at path \"result.data\"")
        }
        let name: String
        if let channel {
            guard data[channel] != nil else {
                let names = data.keys.joined(separator: ", ")
                return fail(.missingField, "no channel \"\(channel)\" in \"result.data\" (it has \(names))")
            }
            name = channel
        } else {
            guard data.keys.count == 1, let only = data.keys.first else {
                return fail(
                    .payloadInvalid,
                    "\"result.data\" holds \(data.keys.count) channels; set openems.channel to choose one")
            }
            name = only
        }
        guard case .array(let values)? = data[name] else {
            return fail(.missingField, "no array of values for channel \"\(name)\" in \"result.data\"")
        }
        guard values.count == timestamps.count else {
            return fail(.payloadInvalid, "\(values.count) values of \"\(name)\" for \(timestamps.count) timestamps")
        }
        guard !values.isEmpty else { return fail(.missingField, "the response holds no period (an empty array)") }
        var out = DecodedPayload()
        var starts: [Timestamp] = []
        for (t, v) in zip(timestamps, values) {
            let raw = "{\"timestamp\":\(t.compactText),\"\(name)\":\(v.compactText)}"
            func reject(_ reason: ReasonCode, _ detail: String) {
                let element = RawReading(
                    meterID: meterID, timestamp: nil, value: nil, unit: nil,
                    location: meterID, raw: raw)
                out.rejected.append(Rejection(raw: element, reason: reason, detail: detail))
            }
            guard case .string(let time) = t else {
                reject(.timestampInvalid, "period timestamp \(t.compactText.prefix(40)) is not a string")
                continue
            }
            if let parsed = try? TimestampParser().parse(time) { starts.append(parsed) }
            switch PayloadJSON.numberText(v, at: name) {
            case .success(nil): out.skipped += 1  // no data for the period, not a zero
            case .success(let value?):
                out.readings.append(
                    RawReading(
                        meterID: meterID, timestamp: time, value: value, unit: "Wh",
                        location: meterID, raw: raw))
            case .failure(let f): reject(f.reason, f.detail)
            }
        }
        // The periods' length, from their starts: the one in progress holds a partial total.
        if starts.count >= 2 { out.periodMicroseconds = starts[1].microseconds - starts[0].microseconds }
        return .success(out)
    }
}
