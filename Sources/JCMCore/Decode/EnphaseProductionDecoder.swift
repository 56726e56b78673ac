/// Enphase IQ Gateway (Envoy) `GET /production.json`. Its `production` array holds an element
/// per source: `"type": "inverters"` (the microinverters' own reports, every few minutes) and,
/// with a production CT, `"type": "eim"` with `"measurementType": "production"`. A gateway
/// without that CT still lists the eim element, with `activeCount` 0 and a counter that does not
/// move: then the inverters' counter is the reading. `consumption` holds the CT's
/// "total-consumption" and "net-consumption" elements. `whLifetime` is Wh; `readingTime` is epoch
/// seconds. Some firmware (5.3.x) reports a fitted CT's element with `activeCount` 0 now and then:
/// `source` pins the element read ("eim" or "inverters"), so a counter never switches between the
/// two, whose values differ.
enum EnphaseProductionDecoder {
    typealias Failure = JSONMeterDecoder.Failure

    /// The inverters' element counts the microinverters reporting: with none, its whLifetime is
    /// a stale sum (the gateway lost its inverters), not a reading.
    static let noInverters = Failure(
        reason: .deviceInvalid,
        detail: "the \"inverters\" element has activeCount 0: no microinverter is reporting, its whLifetime is not read"
    )

    /// `consumption`: the `measurementType` of the `consumption[]` element read ("total-consumption",
    /// "net-consumption"); nil: the production element.
    static func decode(_ body: [UInt8], consumption: String?, source: String? = nil, meterID: String) -> Result<
        RawReading, Failure
    > {
        let document: JSONValue
        switch PayloadJSON.parse(body) {
        case .success(let d): document = d
        case .failure(let f): return .failure(f)
        }
        let list = consumption == nil ? "production" : "consumption"
        guard case .array(let elements)? = document[list] else {
            return .failure(Failure(reason: .missingField, detail: "no array at path \"\(list)\""))
        }
        func active(_ e: JSONValue) -> Bool {
            if case .number(let n)? = e["activeCount"] { return (ExactDecimal(parsing: n) ?? .zero) > .zero }
            return true
        }
        let index: Int?
        switch consumption {
        case nil:
            let eim = elements.firstIndex {
                $0["type"] == .string("eim") && $0["measurementType"] == .string("production")
            }
            let inverters = elements.firstIndex { $0["type"] == .string("inverters") }
            switch source {
            case "eim"?:
                guard let eim else {
                    return .failure(
                        Failure(
                            reason: .missingField,
                            detail:
                                "no element of type \"eim\" (measurementType \"production\") in \"production\" (enphase.source = \"eim\")"
                        ))
                }
                guard active(elements[eim]) else {
                    return .failure(
                        Failure(
                            reason: .deviceInvalid,
                            detail:
                                "the production CT's element has activeCount 0 in this answer (enphase.source = \"eim\": the inverters' counter is not read instead)"
                        ))
                }
                index = eim
            case "inverters"?:
                guard let inverters else {
                    return .failure(
                        Failure(
                            reason: .missingField,
                            detail:
                                "no element of type \"inverters\" in \"production\" (enphase.source = \"inverters\")"))
                }
                guard active(elements[inverters]) else { return .failure(Self.noInverters) }
                index = inverters
            default:
                index =
                    elements.firstIndex {
                        $0["type"] == .string("eim") && $0["measurementType"] == .string("production") && active($0)
                    } ?? inverters
                if let index, index == inverters, !active(elements[index]) { return .failure(Self.noInverters) }
            }
        case let wanted?:
            guard let i = elements.firstIndex(where: { $0["measurementType"] == .string(wanted) }) else {
                return .failure(
                    Failure(
                        reason: .missingField,
                        detail: "no \"\(wanted)\" element in \"consumption\" (the gateway has no consumption CT)"))
            }
            guard active(elements[i]) else {
                return .failure(
                    Failure(
                        reason: .deviceInvalid,
                        detail: "the \"\(wanted)\" element has activeCount 0: no consumption CT is metering"))
            }
            index = i
        }
        guard let index else {
            return .failure(
                Failure(
                    reason: .missingField,
                    detail:
                        "no element of type \"eim\" (measurementType \"production\", activeCount > 0) or \"inverters\" in \"production\""
                ))
        }
        let element = elements[index]
        let path = "\(list).\(index)"
        let value: String
        switch PayloadJSON.requiredNumber(element, "whLifetime") {
        case .success(let v): value = v
        case .failure(let f):
            return .failure(
                Failure(
                    reason: f.reason,
                    detail: f.detail.replacingOccurrences(of: "\"whLifetime\"", with: "\"\(path).whLifetime\"")))
        }
        switch PayloadJSON.epoch(element["readingTime"], at: "\(path).readingTime") {
        case .success(let t):
            return .success(
                RawReading(
                    meterID: meterID, timestamp: t, value: value, unit: "Wh", location: meterID,
                    raw: PayloadJSON.excerpt(element)))
        case .failure(let f):
            return .failure(f)
        }
    }
}
