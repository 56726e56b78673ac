/// The gateway profiles that a path alone does not read: a device's validity flag, its clock, a
/// status code beside the value, an envelope around it. The others are read by their
/// JSONMapping alone (JSONMeterDecoder).
extension PayloadProfile {
    typealias Failure = JSONMeterDecoder.Failure

    /// The reading of the profile's own decoder; nil when its mapping alone reads it.
    func decode(_ body: [UInt8], poll: Config.Poll, meterID: String) -> Result<RawReading, Failure>? {
        switch self {
        case .shellyGen1, .shellyGen1Meter:
            ShellyGen1Decoder.decode(body, profile: self, channel: poll.channel ?? 0, meterID: meterID)
        case .froniusMeterConsumed, .froniusMeterProduced, .froniusInverter:
            // Head.Status.Code not 0: the Datamanager refused the request (a device not
            // available, a wrong DeviceId), whatever Body.Data still holds.
            PayloadJSON.parse(body).flatMap(FroniusDecoder.checkStatus).flatMap {
                JSONMeterDecoder.decode(document: $0, body: body, mapping: poll.json, meterID: meterID)
            }
        case .shellyGen2Switch, .shellyGen2EMData, .shellyGen2EM1Data, .shellyGen2EM:
            PayloadJSON.parse(body).flatMap(JSONRPC.result).flatMap {
                JSONMeterDecoder.decode(document: $0, body: body, mapping: poll.json, meterID: meterID)
            }
        case .emoncmsFeedList:
            EmoncmsFeedListDecoder.decode(body, feed: poll.emoncmsFeed ?? "", meterID: meterID)
        case .openEMSChannel:
            OpenEMSDecoder.channel(body, meterID: meterID)
        default: nil
        }
    }
}
