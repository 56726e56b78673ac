import Foundation
import JCMCore
import JCMPostgres

/// Where a downloaded report came from. It travels with the writer's report job
/// (`IngestWriter.Job.report(path:watch:origin:)`) to the ReportIngestor; only the upload
/// poller creates one. A file dropped in a watched folder never has one: its provenance cannot
/// be claimed from outside the process.
public struct ReportOrigin: Sendable, Equatable {
    public var uploadID: String
    /// Secrets redacted; stored as jcm.batches.url.
    public var url: String
    /// The version to remember in jcm.upload_objects once the file is ingested.
    public var version: UploadVersion
    /// Set when the download was cut off at max_file_bytes: the part received is kept and
    /// refused as a whole, never read as a report.
    public var cutAtBytes: Int64?
    /// The upload sources' secrets: a server that echoes a request into the file it serves gets
    /// *** into jcm.rejections and errors.json, not the credentials.
    public var redactor = SecretRedactor()

    public init(uploadID: String, url: String, version: UploadVersion, cutAtBytes: Int64? = nil) {
        self.uploadID = uploadID
        self.url = url
        self.version = version
        self.cutAtBytes = cutAtBytes
    }
}

extension ReportOrigin {
    func record(sha256: String, at time: Timestamp) -> UploadObjectRecord {
        UploadObjectRecord(uploadID: uploadID, url: url, version: version, sha256: sha256, downloadedAt: time)
    }
}
