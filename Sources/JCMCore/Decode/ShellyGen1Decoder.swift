/// Shelly Gen1 `GET /status`, as the device serves it (Shelly Gen1 API, "/status" of each device):
/// - the EM and 3EM list their channels in `emeters[]`, `total` in Wh;
/// - plugs and relays with metering (Plug S, 1PM, 2.5) list theirs in `meters[]`, `total` in
///   watt-minutes;
/// - each element's `is_valid` is false when the device's own self-check of that channel fails:
///   its total is then not a reading but a rejection (`device_invalid`);
/// - `unixtime` is the device's clock in UTC epoch seconds, 0 until it has synced over NTP: a
///   synced device's time is the reading's, else the poll's. (`meters[].timestamp` is not used:
///   it is local time with the device's timezone applied, not an epoch.)
enum ShellyGen1Decoder {
    typealias Failure = JSONMeterDecoder.Failure

    /// `plug`: the device lists `meters[]` (shelly-gen1-meter), not `emeters[]` (shelly-gen1).
    static func decode(_ body: [UInt8], plug: Bool, channel: Int, meterID: String)
        -> Result<RawReading, Failure>
    {
        let document: JSONValue
        switch PayloadJSON.parse(body) {
        case .success(let d): document = d
        case .failure(let f): return .failure(f)
        }
        let list = plug ? "meters" : "emeters"
        guard case .array(let elements)? = document[list] else {
            let other = plug ? ("emeters", "shelly-gen1") : ("meters", "shelly-gen1-meter")
            let hint =
                if case .array? = document[other.0] {
                    " (the device reports \"\(other.0)\": use format \"\(other.1)\")"
                } else {
                    ""
                }
            return .failure(Failure(reason: .missingField, detail: "no array at path \"\(list)\"" + hint))
        }
        guard channel < elements.count else {
            let detail = "no element \(channel) in \"\(list)\" (the device reports \(elements.count))"
            return .failure(Failure(reason: .missingField, detail: detail))
        }
        let element = elements[channel]
        let path = "\(list).\(channel)"
        if element["is_valid"] == .bool(false) {
            return .failure(
                Failure(
                    reason: .deviceInvalid,
                    detail: "the device marks \(path) invalid (is_valid false): its total is not read"))
        }
        let value: String
        switch PayloadJSON.requiredNumber(element, "total") {
        case .success(let v): value = v
        case .failure(let f):
            let detail = f.detail.replacingOccurrences(of: "\"total\"", with: "\"\(path).total\"")
            return .failure(Failure(reason: f.reason, detail: detail))
        }
        var timestamp: String?
        if case .number(let n)? = document["unixtime"], let seconds = ExactDecimal(parsing: n), seconds > .zero {
            switch PayloadJSON.epoch(document["unixtime"], at: "unixtime") {
            case .success(let t): timestamp = t
            case .failure(let f): return .failure(f)
            }
        }
        return .success(
            RawReading(
                meterID: meterID, timestamp: timestamp, value: value, unit: plug ? "Wmin" : "Wh",
                location: meterID, raw: String(decoding: body.prefix(2_000), as: UTF8.self)))
    }
}
