import CCurlShim
import Foundation
import JCMCore

/// Blocking GETs of listings and report files for one upload source, on one reused handle (one
/// kept-alive connection). Unlike a meter's poll, a file is streamed to disk as it arrives,
/// never held whole in memory; a listing is small and read into memory, both under a cap.
/// `shouldStop` is asked during transfers: a download in progress ends when the daemon stops.
public final class FileDownload {
    /// AWS Signature V4, computed by libcurl (CURLOPT_AWS_SIGV4) over the request as sent.
    public struct Signing: Sendable {
        public var region: String
        public var accessKeyID: String
        public var secretAccessKey: String
        public init(region: String, accessKeyID: String, secretAccessKey: String) {
            self.region = region
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
        }
    }

    public struct Response: Sendable {
        public var status: Int
        /// Bytes of the body received (and written, for a file).
        public var bytes: Int64
        public var etag: String?
        public var lastModified: String?
        /// The body passed the cap and the transfer was cut off there.
        public var exceededCap: Bool
    }

    public struct Limits: Sendable {
        public var connectTimeoutMs: Int
        public var timeoutMs: Int
        public init(connectTimeoutMs: Int, timeoutMs: Int) {
            self.connectTimeoutMs = connectTimeoutMs
            self.timeoutMs = timeoutMs
        }
    }

    private let easy: EasyHandle
    private let signing: Signing?
    private let limits: Limits
    private let shouldStop: @Sendable () -> Bool

    // The transfer in progress, touched only by libcurl's callbacks on this thread.
    private var memory: [UInt8] = []
    private var fd: Int32 = -1
    private var received: Int64 = 0
    private var cap: Int64 = 0
    private var cut = false
    private var diskError: Int32 = 0

    public init(
        security: TransferSecurity, signing: Signing?, limits: Limits, shouldStop: @escaping @Sendable () -> Bool
    ) throws(CurlError) {
        easy = try EasyHandle()
        self.signing = signing
        self.limits = limits
        self.shouldStop = shouldStop
        try easy.configure(security)
        let h = easy.handle
        // This object, not the handle's own buffer, receives the body.
        let me = Unmanaged.passUnretained(self).toOpaque()
        try easy.check(CCurlShim_easy_setopt_pointer(h, CURLOPT_WRITEDATA, me))
        try easy.check(
            CCurlShim_easy_setopt_write_function(h) { data, size, count, userdata in
                Unmanaged<FileDownload>.fromOpaque(userdata!).takeUnretainedValue().take(data!, size * count)
            })
        try easy.check(CCurlShim_easy_setopt_pointer(h, CURLOPT_XFERINFODATA, me))
        try easy.check(
            CCurlShim_easy_setopt_xferinfo_function(h) { userdata, _, _, _, _ in
                Unmanaged<FileDownload>.fromOpaque(userdata!).takeUnretainedValue().shouldStop() ? 1 : 0
            })
        try easy.check(CCurlShim_easy_setopt_long(h, CURLOPT_NOPROGRESS, 0))
        if let signing {
            try easy.check(CCurlShim_easy_setopt_string(h, CURLOPT_AWS_SIGV4, "aws:amz:\(signing.region):s3"))
            // USERNAME and PASSWORD rather than USERPWD "key:secret": a secret may hold a colon.
            try easy.check(CCurlShim_easy_setopt_string(h, CURLOPT_USERNAME, signing.accessKeyID))
            try easy.check(CCurlShim_easy_setopt_string(h, CURLOPT_PASSWORD, signing.secretAccessKey))
        }
    }

    private func take(_ data: UnsafeMutablePointer<CChar>, _ n: Int) -> Int {
        guard received + Int64(n) <= cap else {
            cut = true
            // What fits is kept: the file shows what was received before the cut.
            let fits = Int(cap - received)
            if fits > 0 { _ = write(data, fits) }
            return 0  // anything but n aborts the transfer with CURLE_WRITE_ERROR
        }
        return write(data, n) ? n : 0
    }

    private func write(_ data: UnsafeMutablePointer<CChar>, _ n: Int) -> Bool {
        if fd < 0 {
            data.withMemoryRebound(to: UInt8.self, capacity: n) {
                memory.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
            }
            received += Int64(n)
            return true
        }
        var done = 0
        while done < n {
            let w = Glibc.write(fd, data + done, n - done)
            if w < 0 {
                if errno == EINTR { continue }
                diskError = errno
                return false
            }
            done += w
        }
        received += Int64(n)
        return true
    }

    /// A listing page, into memory.
    public func get(_ url: String, maxBytes: Int64) throws(CurlError) -> (Response, [UInt8]) {
        memory.removeAll(keepingCapacity: true)
        fd = -1
        let response = try perform(url, headers: [], maxBytes: maxBytes)
        return (response, memory)
    }

    /// A file, streamed into `path` (created, or emptied). The caller decides what becomes of
    /// it; a transfer error leaves what was received in it.
    public func download(_ url: String, to path: String, headers: [String], maxBytes: Int64) throws -> Response {
        let out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o640)
        guard out >= 0 else { throw DiskError(path: path, errno: errno) }
        fd = out
        defer { fd = -1 }
        let response: Response
        do {
            response = try perform(url, headers: headers, maxBytes: maxBytes)
        } catch {
            close(out)
            if diskError != 0 { throw DiskError(path: path, errno: diskError) }
            throw error
        }
        // Durable before it is handed on: the listing will not offer it again once ingested.
        let synced = fsync(out) == 0 ? 0 : errno
        close(out)
        if diskError != 0 || synced != 0 { throw DiskError(path: path, errno: diskError != 0 ? diskError : synced) }
        return response
    }

    private func perform(_ url: String, headers: [String], maxBytes: Int64) throws(CurlError) -> Response {
        received = 0
        cut = false
        diskError = 0
        cap = maxBytes
        try easy.prepare(
            url: url, connectTimeoutMs: limits.connectTimeoutMs, timeoutMs: limits.timeoutMs,
            maxBytes: Int(clamping: maxBytes))
        // No early refusal by Content-Length: the write callback cuts at the cap, so the part
        // received is kept as evidence of what the server offered.
        try easy.check(CCurlShim_easy_setopt_off(easy.handle, CURLOPT_MAXFILESIZE_LARGE, 0))
        var lines = headers
        // S3 wants the payload's hash in a header; libcurl 7.88 signs the header when it is
        // given but does not add it. A GET has an empty payload.
        if signing != nil {
            lines.append("x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        }
        try easy.setRequestHeaders(lines)
        let code = curl_easy_perform(easy.handle)
        let response = Response(
            status: easy.responseCode, bytes: received, etag: easy.responseHeader("ETag"),
            lastModified: easy.responseHeader("Last-Modified"), exceededCap: cut)
        if cut { return response }
        if let error = easy.error(for: code) { throw error }
        return response
    }

    public struct DiskError: Error, CustomStringConvertible {
        public var path: String
        public var errno: Int32
        public var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
    }
}
