import JCMCore

/// A downloaded upload file as jcm.upload_objects remembers it.
public struct UploadObjectRecord: Sendable, Equatable {
    public var uploadID: String
    /// Redacted, as in jcm.batches.url.
    public var url: String
    public var version: UploadVersion
    public var sha256: String
    public var downloadedAt: Timestamp

    public init(uploadID: String, url: String, version: UploadVersion, sha256: String, downloadedAt: Timestamp) {
        self.uploadID = uploadID
        self.url = url
        self.version = version
        self.sha256 = sha256
        self.downloadedAt = downloadedAt
    }
}

extension ReadingStore {
    /// In the caller's transaction, beside the file's batch: both commit, or neither, so a
    /// download whose rows were lost is downloaded again.
    public func insertUploadObject(_ o: UploadObjectRecord, batch: Int64) throws {
        try db.query(
            """
            insert into jcm.upload_objects (upload_id, url, etag, size, modified, sha256, batch, downloaded_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)
            """,
            [
                o.uploadID, o.url, o.version.etag, o.version.size.map(String.init), o.version.modified, o.sha256,
                String(batch),
                o.downloadedAt.description,
            ])
    }
}

extension Connection {
    /// The newest version downloaded of each URL of one source.
    public func rememberedUploads(uploadID: String) throws -> [String: UploadVersion] {
        var out: [String: UploadVersion] = [:]
        for row in try query(
            """
            select distinct on (url) url, etag, size, modified from jcm.upload_objects where upload_id = $1 order by url, id desc
            """, [uploadID]
        ) {
            out[try row.string(0)] = UploadVersion(
                etag: try row.nullable.string(1), size: try row.nullable.int64(2), modified: try row.nullable.string(3))
        }
        return out
    }
}
