/// One file a listing names: where to fetch it and what the listing says of its version.
public struct UploadEntry: Sendable, Equatable {
    /// What the downloaded copy is called, and so what jcm.batches.file_name and format detection
    /// see: the file name for a folder listing, the whole key with "/" as "_" for S3.
    public var name: String
    /// Its path under the listing: the name for a folder listing, the whole key for S3.
    public var key: String
    /// The URL it is downloaded from.
    public var url: String
    public var version: UploadVersion

    public init(name: String, key: String, url: String, version: UploadVersion = UploadVersion()) {
        self.name = name
        self.key = key
        self.url = url
        self.version = version
    }
}

/// What tells one version of a remote file from the next. A listing gives what it knows (nginx
/// JSON: size and mtime; S3: ETag, size and LastModified; an HTML index: nothing); the download
/// fills in the rest from the response (ETag, Content-Length, Last-Modified).
public struct UploadVersion: Sendable, Equatable {
    public var etag: String?
    public var size: Int64?
    public var modified: String?

    public init(etag: String? = nil, size: Int64? = nil, modified: String? = nil) {
        self.etag = etag
        self.size = size
        self.modified = modified
    }

    public var isEmpty: Bool { etag == nil && size == nil && modified == nil }

    /// What to do with a listed file, given the version remembered from its last download.
    public enum Decision: Sendable, Equatable {
        case skip
        case fetch
        /// The listing says nothing of versions (HTML): ask the server, which answers 304 when
        /// the file is the one already downloaded.
        case fetchIfChanged(etag: String?, modified: String?)
    }

    /// Only the fields the listing gives are compared: a field the listing lacks was filled in
    /// from a response header and has no counterpart to compare with.
    public static func decide(listed: UploadVersion, remembered: UploadVersion?) -> Decision {
        guard let remembered else { return .fetch }
        if listed.isEmpty {
            // Nothing to ask the server with: it was downloaded once and is left alone.
            if remembered.etag == nil && remembered.modified == nil { return .skip }
            return .fetchIfChanged(etag: remembered.etag, modified: remembered.modified)
        }
        if let etag = listed.etag, etag != remembered.etag { return .fetch }
        if let size = listed.size, size != remembered.size { return .fetch }
        if let modified = listed.modified, modified != remembered.modified { return .fetch }
        return .skip
    }

    /// The version to remember after a download: the listing's fields, the response's where
    /// the listing had none.
    public func filled(etag: String?, size: Int64?, modified: String?) -> UploadVersion {
        UploadVersion(etag: self.etag ?? etag, size: self.size ?? size, modified: self.modified ?? modified)
    }
}

/// A listing that could not be read, naming the URL it came from (secrets redacted by the caller).
public struct UploadListingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var url: String
    public var message: String

    public init(url: String, message: String) {
        self.url = url
        self.message = message
    }

    public var description: String { "listing \(url): \(message)" }
}
