import JCMCore
import JCMCurl

/// A poll result as a spool payload: every field needed to write it later exactly as it would
/// have been written at once, raw body included.
extension PollResult {
    /// 2 added the response's validators (ETag, Last-Modified), 3 its Content-Type; records of
    /// earlier versions still read.
    static let spoolVersion: Int64 = 3

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
        w.string(etag ?? "")
        w.string(lastModified ?? "")
        w.string(contentType ?? "")
        return w.bytes
    }

    init?(spoolPayload: [UInt8]) {
        var r = SpoolFieldReader(spoolPayload)
        guard let version = r.int64(), (1...Self.spoolVersion).contains(version), let meterID = r.string(),
            let url = r.string(),
            let micros = r.int64(), let status = r.int64(), let kind = r.int64()
        else { return nil }
        var failure: Failure?
        switch kind {
        case 0: failure = nil
        case 1:
            guard let m = r.string() else { return nil }
            failure = .transport(m)
        case 2:
            guard let cap = r.int64() else { return nil }
            failure = .tooLarge(Int(cap))
        default: return nil
        }
        guard let body = r.data() else { return nil }
        self.init(
            meterID: meterID, url: url, receivedAt: Timestamp(microseconds: micros), status: Int(status), body: body,
            failure: failure)
        if version >= 2 {
            guard let etag = r.string(), let lastModified = r.string() else { return nil }
            self.etag = etag.isEmpty ? nil : etag
            self.lastModified = lastModified.isEmpty ? nil : lastModified
        }
        if version >= 3 {
            guard let contentType = r.string() else { return nil }
            self.contentType = contentType.isEmpty ? nil : contentType
        }
        guard r.isAtEnd else { return nil }
    }
}
