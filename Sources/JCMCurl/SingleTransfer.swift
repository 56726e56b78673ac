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
        let error = self.error(for: curl_easy_perform(handle))
        var failure: PollResult.Failure?
        if exceededCap || error?.isSizeCap == true {
            failure = .tooLarge(maxBytes)
        } else if let error {
            failure = .transport(error.message)
        }
        return PollResult(meterID: meterID, url: url, receivedAt: Timestamp(date: Date()), status: responseCode, body: body, failure: failure)
    }
}
