import CCurlShim
import Foundation
import JCMCore

extension EasyHandle {
    /// One blocking GET (`curl_easy_perform`), for a thread that fetches one thing at a time
    /// (the backfiller's history requests); the poller's transfers go through MultiHandle. The
    /// outcome has the shape of a poll's, so it is written and redacted the same way.
    /// `shouldStop` is asked while the transfer runs (libcurl's progress callback, about once a
    /// second when idle): true aborts it, so a stopping daemon does not wait out a slow history.
    public func fetch(
        url: String, meterID: String, connectTimeoutMs: Int, timeoutMs: Int, maxBytes: Int, headers: [String] = [],
        requestBody: String? = nil, shouldStop: (() -> Bool)? = nil
    ) -> PollResult {
        let stop = StopCheck(shouldStop ?? { false })
        do {
            try prepare(
                url: url, connectTimeoutMs: connectTimeoutMs, timeoutMs: timeoutMs, maxBytes: maxBytes,
                body: requestBody)
            try setRequestHeaders(headers)
            try check(
                CCurlShim_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(stop).toOpaque()))
            try check(
                CCurlShim_easy_setopt_xferinfo_function(handle) { userdata, _, _, _, _ in
                    Unmanaged<StopCheck>.fromOpaque(userdata!).takeUnretainedValue().asked() ? 1 : 0
                })
            try check(CCurlShim_easy_setopt_long(handle, CURLOPT_NOPROGRESS, shouldStop == nil ? 1 : 0))
        } catch {
            return PollResult(
                meterID: meterID, url: url, receivedAt: Timestamp(date: Date()), status: 0, body: [],
                failure: .transport("\(error)"))
        }
        let code = withExtendedLifetime(stop) { curl_easy_perform(handle) }
        _ = CCurlShim_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 1)
        let failure = self.failure(error(for: code), maxBytes: maxBytes)
        var result = PollResult(
            meterID: meterID, url: url, receivedAt: Timestamp(date: Date()), status: responseCode, body: body,
            failure: failure)
        if failure == nil { result.contentType = responseHeader("Content-Type") }
        return result
    }

    /// What a finished transfer's error means for its poll: cut off at the size cap, or a
    /// transport failure; nil when it completed (whatever its HTTP status).
    func failure(_ error: CurlError?, maxBytes: Int) -> PollResult.Failure? {
        if exceededCap || error?.isSizeCap == true { return .tooLarge(maxBytes) }
        return error.map { .transport($0.message) }
    }
}

/// The question a blocking transfer asks libcurl's progress callback to put.
private final class StopCheck {
    let asked: () -> Bool
    init(_ asked: @escaping () -> Bool) { self.asked = asked }
}
