import CCurlShim
import JCMCore

extension EasyHandle {
    /// One blocking POST of a text body (a checkpoint to a witness). Returns the HTTP status, or
    /// the transport error.
    public func post(url: String, body: String, contentType: String, timeoutMs: Int) -> Result<Int, CurlError> {
        do throws(CurlError) {
            try prepare(url: url, connectTimeoutMs: min(timeoutMs, 10_000), timeoutMs: timeoutMs, maxBytes: 1 << 16)
            try setRequestHeaders(["Content-Type: " + contentType])
            try check(CCurlShim_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, body))
        } catch {
            return .failure(error)
        }
        let code = curl_easy_perform(handle)
        if let error = error(for: code) { return .failure(error) }
        return .success(responseCode)
    }
}
