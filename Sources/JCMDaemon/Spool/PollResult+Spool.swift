import JCMCore
import JCMCurl

/// A poll result as a spool payload: every field needed to write it later exactly as it would
/// have been written at once, raw body included.
extension PollResult {
    static let spoolVersion: Int64 = 1

    var spoolPayload: [UInt8] {
        var w = SpoolFieldWriter()
        w.int64(Self.spoolVersion)
        w.string(meterID)
        w.string(url)
        w.int64(receivedAt.microseconds)
        w.int64(Int64(status))
        switch failure {
        case nil: w.int64(0)
        case .transport(let message)?:
            w.int64(1)
            w.string(message)
        case .tooLarge(let cap)?:
            w.int64(2)
            w.int64(Int64(cap))
        }
        w.data(body)
        return w.bytes
    }

    init?(spoolPayload: [UInt8]) {
        var r = SpoolFieldReader(spoolPayload)
        guard r.int64() == Self.spoolVersion, let meterID = r.string(), let url = r.string(),
              let micros = r.int64(), let status = r.int64(), let kind = r.int64() else { return nil }
        var failure: Failure?
        switch kind {
        case 0: failure = nil
        case 1: guard let m = r.string() else { return nil }; failure = .transport(m)
        case 2: guard let cap = r.int64() else { return nil }; failure = .tooLarge(Int(cap))
        default: return nil
        }
        guard let body = r.data(), r.isAtEnd else { return nil }
        self.init(meterID: meterID, url: url, receivedAt: Timestamp(microseconds: micros), status: Int(status), body: body, failure: failure)
    }
}
