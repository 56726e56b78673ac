import CCurlShim

/// A libcurl failure with its code, so callers can tell a timeout from a refused connection.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String

    init(_ code: CURLcode, detail: String? = nil) {
        self.code = Int(code.rawValue)
        let text = String(cString: curl_easy_strerror(code))
        self.message = detail.map { $0.isEmpty ? text : "\(text): \($0)" } ?? text
    }

    init(multi code: CURLMcode) {
        self.code = Int(code.rawValue)
        self.message = String(cString: curl_multi_strerror(code))
    }

    public var isSizeCap: Bool {
        code == Int(CURLE_WRITE_ERROR.rawValue) || code == Int(CURLE_FILESIZE_EXCEEDED.rawValue)
    }

    public var description: String { "curl error \(code): \(message)" }
}

/// libcurl's global state is set up once per process, before any handle exists.
enum CurlGlobal {
    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}
