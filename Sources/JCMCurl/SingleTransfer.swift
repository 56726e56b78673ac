import CCurlShim
import Foundation
import JCMCore

extension EasyHandle {
    /// One blocking GET (`curl_easy_perform`), for a thread that fetches one thing at a time
    /// (the backfiller's history requests); the poller's transfers go through MultiHandle. The
    /// outcome has the shape of a poll's, so it is written and redacted the same way.
    public func fetch(url: String, meterID: String, connectTimeoutMs: Int, timeoutMs: Int, maxBytes: Int, headers: [String] = []) -> PollResult {
        do {
            try prepare(url: url, connectTimeoutMs: connectTimeoutMs, timeoutMs: timeoutMs, maxBytes: maxBytes)
            try setRequestHeaders(headers)
        } catch {
            return PollResult(meterID: meterID, url: url, receivedAt: Timestamp(date: Date()), status: 0, body: [], failure: .transport("\(error)"))
        }
        let failure = self.failure(error(for: curl_easy_perform(handle)), maxBytes: maxBytes)
        return PollResult(meterID: meterID, url: url, receivedAt: Timestamp(date: Date()), status: responseCode, body: body, failure: failure)
    }

    /// What a finished transfer's error means for its poll: cut off at the size cap, or a
    /// transport failure; nil when it completed (whatever its HTTP status).
    func failure(_ error: CurlError?, maxBytes: Int) -> PollResult.Failure? {
        if exceededCap || error?.isSizeCap == true { return .tooLarge(maxBytes) }
        return error.map { .transport($0.message) }
    }
}
