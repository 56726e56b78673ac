/// Enphase IQ Gateway (Envoy) `GET /production.json`. Its `production` array holds an element
/// per source: `"type": "inverters"` (the microinverters' own reports, every few minutes) and,
/// with a production CT, `"type": "eim"` with `"measurementType": "production"`. A gateway
/// without that CT still lists the eim element, with `activeCount` 0 and a counter that does not
/// move: then the inverters' counter is the reading. `consumption` holds the CT's
/// "total-consumption" and "net-consumption" elements. `whLifetime` is Wh; `readingTime` is epoch
/// seconds.
enum EnphaseProductionDecoder {
    typealias Failure = JSONMeterDecoder.Failure

    static func decode(_ body: [UInt8], profile: SeriesProfile, meterID: String) -> Result<RawReading, Failure> {
        let document: JSONValue
        switch PayloadJSON.parse(body) {
        case .success(let d): document = d
        case .failure(let f): return .failure(f)
        }
        let list = profile == .enphaseProductionJSON ? "production" : "consumption"
        guard case .array(let elements)? = document[list] else {
            return .failure(Failure(reason: .missingField, detail: "no array at path \"\(list)\""))
        }
        func active(_ e: JSONValue) -> Bool {
            if case .number(let n)? = e["activeCount"] { return (ExactDecimal(parsing: n) ?? .zero) > .zero }
            return true
        }
        let index: Int?
        switch profile {
        case .enphaseProductionJSON:
            index = elements.firstIndex { $0["type"] == .string("eim") && $0["measurementType"] == .string("production") && active($0) }
                ?? elements.firstIndex { $0["type"] == .string("inverters") }
        default:
            let wanted = profile == .enphaseTotalConsumption ? "total-consumption" : "net-consumption"
            guard let i = elements.firstIndex(where: { $0["measurementType"] == .string(wanted) }) else {
                return .failure(Failure(reason: .missingField, detail: "no \"\(wanted)\" element in \"consumption\" (the gateway has no consumption CT)"))
            }
            guard active(elements[i]) else {
                return .failure(Failure(reason: .missingField, detail: "the \"\(wanted)\" element has activeCount 0: no consumption CT is metering"))
            }
            index = i
        }
        guard let index else {
            return .failure(Failure(reason: .missingField, detail: "no element of type \"eim\" (measurementType \"production\", activeCount > 0) or \"inverters\" in \"production\""))
        }
        let element = elements[index]
        let path = "\(list).\(index)"
        let value: String
        switch PayloadJSON.requiredNumber(element, "whLifetime") {
        case .success(let v): value = v
        case .failure(let f): return .failure(Failure(reason: f.reason, detail: f.detail.replacingOccurrences(of: "\"whLifetime\"", with: "\"\(path).whLifetime\"")))
        }
        switch PayloadJSON.epoch(element["readingTime"], at: "\(path).readingTime") {
        case .success(let t):
            return .success(RawReading(meterID: meterID, timestamp: t, value: value, unit: "Wh", location: meterID, raw: PayloadJSON.excerpt(element)))
        case .failure(let f):
            return .failure(f)
        }
    }
}
