/// Fronius Solar API v1 responses read by their own code (the realtime meter and inverter
/// profiles are plain paths, in FroniusProfile). Every response carries `Head.Status.Code`: not 0
/// is the Datamanager refusing the request (a range too long, a device missing), said with its
/// `Reason`.
enum FroniusDecoder {
    typealias Failure = JSONMeterDecoder.Failure

    /// `GetPowerFlowRealtimeData.fcgi`: `Body.Data.Site.E_Total`, Wh, at `Head.Timestamp`.
    static func powerFlow(_ body: [UInt8], meterID: String) -> Result<RawReading, Failure> {
        let document: JSONValue
        switch PayloadJSON.parse(body).flatMap(checkStatus) {
        case .success(let d): document = d
        case .failure(let f): return .failure(f)
        }
        if case .null? = document.value(at: "Body.Data.Site.E_Total") {
            return .failure(
                Failure(
                    reason: .missingField,
                    detail: """
                        value at path "Body.Data.Site.E_Total" is null: GEN24, Tauro and Verto firmware before 1.14 do not report the \
                        site's energy here (update it, or read the inverter with fronius-inverter or the meter with fronius-meter-*)
                        """))
        }
        return PayloadJSON.requiredNumber(document, "Body.Data.Site.E_Total").flatMap { value in
            PayloadJSON.requiredString(document, "Head.Timestamp").map { time in
                RawReading(
                    meterID: meterID, timestamp: time, value: value, unit: "Wh", location: meterID,
                    raw: PayloadJSON.excerpt(document.value(at: "Body.Data.Site") ?? document))
            }
        }
    }

    /// `GetArchiveData.cgi?Scope=System&StartDate=...&EndDate=...&Channel=C`: under
    /// `Body.Data`, one object per device ("inverter/1", "meter:16220111") with its `Start`
    /// (local time with offset) and `Data.C.Values`, seconds after `Start` → value, in
    /// `Data.C.Unit`. The readings come out in time order.
    static func archive(_ body: [UInt8], channel: String, device: String?, meterID: String) -> Result<
        DecodedPayload, Failure
    > {
        let document: JSONValue
        switch PayloadJSON.parse(body).flatMap(checkStatus) {
        case .success(let d): document = d
        case .failure(let f): return .failure(f)
        }
        guard case .object(let devices)? = document.value(at: "Body.Data") else {
            return .failure(Failure(reason: .missingField, detail: "no object at path \"Body.Data\""))
        }
        let holding = devices.members.filter { $0.value["Data"]?[channel] != nil }.map(\.key)
        let name: String
        if let device {
            guard devices[device] != nil else {
                return .failure(
                    Failure(
                        reason: .missingField,
                        detail:
                            "no device \"\(device)\" in \"Body.Data\" (it has \(devices.keys.joined(separator: ", ")))")
                )
            }
            name = device
        } else if holding.count == 1 {
            name = holding[0]
        } else if holding.isEmpty {
            // A day without any value of the channel: the Datamanager leaves the device out.
            return .failure(
                Failure(reason: .missingField, detail: "no device in \"Body.Data\" holds channel \(channel)"))
        } else {
            return .failure(
                Failure(
                    reason: .payloadInvalid,
                    detail: "devices \(holding.joined(separator: ", ")) all hold channel \(channel): set fronius.device"
                ))
        }
        let base = "Body.Data[\"\(name)\"]"
        guard let entry = devices[name] else {
            return .failure(Failure(reason: .missingField, detail: "no device \"\(name)\""))
        }
        let start: Timestamp
        switch PayloadJSON.requiredString(entry, "Start") {
        case .success(let text):
            do {
                start = try TimestampParser().parse(text)
            } catch {
                return .failure(
                    Failure(
                        reason: .timestampInvalid,
                        detail: "\(base).Start \"\(text.prefix(60))\" is not a time with an offset"))
            }
        case .failure:
            return .failure(Failure(reason: .missingField, detail: "no string at path \(base).Start"))
        }
        guard case .string(let unit)? = entry["Data"]?[channel]?["Unit"] else {
            return .failure(
                Failure(reason: .missingField, detail: "no unit string at path \(base).Data.\(channel).Unit"))
        }
        guard case .object(let values)? = entry["Data"]?[channel]?["Values"] else {
            return .failure(Failure(reason: .missingField, detail: "no object at path \(base).Data.\(channel).Values"))
        }
        var out = DecodedPayload()
        var timed: [(offset: Int64, reading: RawReading)] = []
        for (key, v) in values.members {
            let raw = "\"\(key)\":\(v.compactText.prefix(200))"
            guard let offset = Int64(key), offset >= 0, offset < 400 * 86_400 else {
                out.rejected.append(
                    Rejection(
                        raw: RawReading(
                            meterID: meterID, timestamp: nil, value: nil, unit: unit, location: meterID, raw: raw),
                        reason: .timestampInvalid,
                        detail: "key \"\(key.prefix(40))\" of \(base).Data.\(channel).Values is not seconds after Start"
                    ))
                continue
            }
            let time = Timestamp(microseconds: start.microseconds + offset * 1_000_000).description
            switch PayloadJSON.numberText(v, at: "\(base).Data.\(channel).Values.\(key)") {
            case .success(nil): out.skipped += 1
            case .success(let value?):
                timed.append(
                    (
                        offset,
                        RawReading(
                            meterID: meterID, timestamp: time, value: value, unit: unit, location: meterID, raw: raw)
                    ))
            case .failure(let f):
                out.rejected.append(
                    Rejection(
                        raw: RawReading(
                            meterID: meterID, timestamp: time, value: nil, unit: unit, location: meterID, raw: raw),
                        reason: f.reason, detail: f.detail))
            }
        }
        out.readings = timed.sorted { $0.offset < $1.offset }.map(\.reading)
        return .success(out)
    }

    static func checkStatus(_ document: JSONValue) -> Result<JSONValue, Failure> {
        guard case .number(let code)? = document.value(at: "Head.Status.Code"), code != "0" else {
            return .success(document)
        }
        let reason = document.value(at: "Head.Status.Reason")?.stringValue ?? ""
        return .failure(
            Failure(
                reason: .payloadInvalid,
                detail:
                    "the Datamanager answered Head.Status.Code \(code)\(reason.isEmpty ? "" : ": \(reason.prefix(200))")"
            ))
    }
}
