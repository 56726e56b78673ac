import Foundation

/// `[[upload]]`: a server operators and contractors upload reports to, polled for new files.
/// Named for what the files are (uploaded reports), as `[[watch]]` is named for what the daemon
/// does with a folder. Each key is documented in docs/uploads.md and docs/configuration.md.
extension Config {
    public struct Upload: Sendable, Equatable {
        public enum Listing: String, Sendable, Equatable, CaseIterable {
            /// nginx `autoindex_format json;`.
            case nginxJSON = "nginx-json"
            /// The HTML index of nginx (`autoindex on;`) or Apache (mod_autoindex).
            case html
            /// S3 ListObjectsV2 on a path-style bucket URL, signed with AWS Signature V4.
            case s3
        }

        /// Names the source in logs and its folder under `state_dir/uploads/`.
        public var id: String
        /// The listing URL: a folder ending in "/", or for S3 the bucket (`https://endpoint/bucket/`).
        public var url: String
        public var listing: Listing
        public var intervalMilliseconds: Int64 = 60_000
        public var connectTimeoutMilliseconds: Int64 = 10_000
        /// A whole transfer (listing page or file); the low-speed limit cuts a stalled one sooner.
        public var timeoutMilliseconds: Int64 = 600_000
        public var lowSpeedBytes = 100
        public var lowSpeedMilliseconds: Int64 = 30_000
        /// A file larger than this is cut off, kept, and recorded as a payload_too_large rejection.
        public var maxFileBytes: Int64 = 1 << 30
        /// IANA zone for timestamps without an offset, as a watched folder's `timezone`.
        public var timeZone: String?
        public var tls = TLS()
        /// HTTP listings only (basic, digest, bearer, header), as a meter's `[meter.auth]`.
        public var auth = Auth()
        /// S3 only: the key prefix listed, the region signed for, and the files holding the keys.
        public var prefix: String?
        public var region: String?
        public var accessKeyIDFile: String?
        public var secretAccessKeyFile: String?

        public init(id: String, url: String, listing: Listing) {
            self.id = id
            self.url = url
            self.listing = listing
        }

        /// The folders the daemon keeps this source's files in: downloads land in `incoming`,
        /// and go on to `done` or `rejected` as a watched folder's files go to processed/rejected.
        public func folders(stateDir: String) -> Watch {
            let base = stateDir + "/uploads/" + id
            return Watch(
                dir: base + "/incoming", timeZone: timeZone, processedDir: base + "/done",
                rejectedDir: base + "/rejected")
        }
    }

    static func readUpload(_ r: inout TableReader) -> Upload? {
        let id = r.requiredString("id")
        if let id,
            id.isEmpty || id.hasPrefix(".")
                || !id.unicodeScalars.allSatisfy({
                    $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0)
                        || "-_.".unicodeScalars.contains($0)
                })
        {
            r.problem(
                "id", "\"\(id)\" must be letters, digits, '-', '_' or '.' (it names a folder under state_dir/uploads)")
        }
        let url = r.requiredString("url")
        var listing: Upload.Listing?
        if let l = r.requiredString("listing") {
            listing = Upload.Listing(rawValue: l)
            if listing == nil {
                r.problem(
                    "listing",
                    "\"\(l)\" is not one of \(Upload.Listing.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let interval = r.duration("interval", range: 1_000...86_400_000)
        let connectTimeout = r.duration("connect_timeout", range: 100...600_000)
        let timeout = r.duration("timeout", range: 1_000...86_400_000)
        let lowSpeedBytes = r.integer("low_speed_limit", range: 1...(1 << 30))
        let lowSpeedTime = r.duration("low_speed_time", range: 1_000...600_000)
        let maxBytes = r.integer("max_file_bytes", range: 1_024...(1 << 40))
        let zone = r.string("timezone")
        if let zone, let why = ZoneName.problem(zone) { r.problem("timezone", why) }
        let prefix = r.string("prefix")
        let region = r.string("region")
        let keyFile = r.string("access_key_id_file")
        let secretFile = r.string("secret_access_key_file")
        for key in ["access_key_id", "secret_access_key", "password", "token"] where r.table[key] != nil {
            _ = r.node(key)
            r.problem(
                key,
                "secrets never go in the configuration: put it in a file and name it with \(key == "access_key_id" || key == "secret_access_key" ? key + "_file" : "[upload.auth] secret_file")"
            )
        }
        guard let id, let url, let listing else { return nil }
        var u = Upload(id: id, url: url, listing: listing)
        if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            r.problem("url", "must start with http:// or https://")
        } else if url.contains("?") || url.contains("#") {
            r.problem("url", "must not carry a query or fragment (the listing adds its own)")
        } else if listing != .s3, !url.hasSuffix("/") {
            r.problem(
                "url",
                "must end with \"/\": a folder index is at the folder's URL (without it the server answers with a redirect, which is not followed)"
            )
        }
        if let interval { u.intervalMilliseconds = interval }
        if let connectTimeout { u.connectTimeoutMilliseconds = connectTimeout }
        if let timeout { u.timeoutMilliseconds = timeout }
        if let lowSpeedBytes { u.lowSpeedBytes = Int(lowSpeedBytes) }
        if let lowSpeedTime { u.lowSpeedMilliseconds = lowSpeedTime }
        if let maxBytes { u.maxFileBytes = maxBytes }
        u.timeZone = zone
        if let tls = r.table("tls") {
            var t = TableReader(tls, path: r.keyPath("tls"))
            u.tls = readTLS(&t)
            if u.tls != TLS(), !url.hasPrefix("https://") { r.problem("tls", "only applies to an https:// url") }
            r.problems += t.finish()
        }
        if let auth = r.table("auth") {
            var a = TableReader(auth, path: r.keyPath("auth"))
            u.auth = readAuth(&a)
            r.problems += a.finish()
            if listing == .s3 {
                r.problem(
                    "auth",
                    "S3 requests are signed with access_key_id_file and secret_access_key_file, not [upload.auth]")
            }
        }
        if listing == .s3 {
            u.prefix = prefix
            u.region = region
            u.accessKeyIDFile = keyFile
            u.secretAccessKeyFile = secretFile
            if region == nil {
                r.problem(
                    "region",
                    "is required for listing = \"s3\" (the region requests are signed for, e.g. \"eu-west-1\")")
            }
            if keyFile == nil {
                r.problem("access_key_id_file", "is required for listing = \"s3\": the file holding the access key id")
            }
            if secretFile == nil {
                r.problem(
                    "secret_access_key_file", "is required for listing = \"s3\": the file holding the secret access key"
                )
            }
        } else {
            for (key, value) in [
                ("prefix", prefix), ("region", region), ("access_key_id_file", keyFile),
                ("secret_access_key_file", secretFile),
            ] where value != nil {
                r.problem(key, "only applies to listing = \"s3\"")
            }
        }
        return u
    }
}
