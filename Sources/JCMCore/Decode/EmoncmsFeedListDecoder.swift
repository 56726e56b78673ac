/// emoncms `GET /feed/list.json` (its feed controller): every feed of the account, each with its
/// last `value` and its `time` (epoch seconds): `[{"id":"7","name":"solar_kwh","tag":"pv",
/// "unit":"kWh","time":1764158400,"value":1234.5}, …]`. Older emoncms writes ids as strings, newer
/// as numbers. One response feeds every meter reading a feed of it (`emoncms.feed`): the meters
/// sharing the url are polled with one request (Config.sharedPolls).
enum EmoncmsFeedListDecoder {
    typealias Failure = JSONMeterDecoder.Failure

    static func decode(_ body: [UInt8], feed: String, meterID: String) -> Result<RawReading, Failure> {
        let document: JSONValue
        switch PayloadJSON.parse(body) {
        case .success(let d): document = d
        case .failure(let f): return .failure(f)
        }
        guard case .array(let feeds) = document else {
            let detail = "the response is not a list of feeds (feed/list.json): \(document.compactText.prefix(80))"
            return .failure(Failure(reason: .missingField, detail: detail))
        }
        func id(_ f: JSONValue) -> String? { f["id"]?.stringValue ?? f["id"]?.numberLiteral }
        guard let element = feeds.first(where: { id($0) == feed }) else {
            let ids = feeds.compactMap(id).prefix(20).joined(separator: ", ")
            let detail = "no feed with id \(feed) in the list (it has \(ids))"
            return .failure(Failure(reason: .missingField, detail: detail))
        }
        let value: String
        switch PayloadJSON.numberText(element["value"] ?? .null, at: "value") {
        case .success(let v?): value = v
        case .success(nil): return .failure(Failure(reason: .missingField, detail: "feed \(feed) has no value (null)"))
        case .failure(let f): return .failure(Failure(reason: f.reason, detail: "feed \(feed): " + f.detail))
        }
        switch PayloadJSON.epoch(element["time"], at: "time") {
        case .success(let t):
            return .success(
                RawReading(
                    meterID: meterID, timestamp: t, value: value, unit: nil, location: meterID,
                    raw: PayloadJSON.excerpt(element)))
        case .failure(let f):
            return .failure(Failure(reason: f.reason, detail: "feed \(feed): " + f.detail))
        }
    }
}
