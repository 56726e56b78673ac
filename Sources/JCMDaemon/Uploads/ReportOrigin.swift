import Foundation
import JCMCore
import JCMPostgres

/// Where a downloaded report came from. The writer's report job carries only a path and a
/// folder, so the origin travels beside it here, keyed by the downloaded copy's path under
/// `state_dir/uploads/`, which only the upload poller writes. A file dropped in a watched
/// folder never has one: its provenance cannot be claimed from outside the process.
public struct ReportOrigin: Sendable, Equatable {
    public var uploadID: String
    /// Secrets redacted; stored as jcm.batches.url.
    public var url: String
    /// The version to remember in jcm.upload_objects once the file is ingested.
    public var version: UploadVersion
    /// Set when the download was cut off at max_file_bytes: the part received is kept and
    /// refused as a whole, never read as a report.
    public var cutAtBytes: Int64?
}

/// The origins of downloads handed to the writer and not yet finished with. Doubles as the set
/// of paths in flight: a file is not downloaded over a copy still waiting to be ingested.
public final class ReportOrigins: @unchecked Sendable {
    public static let shared = ReportOrigins()
    private let lock = NSLock()
    private var byPath: [String: ReportOrigin] = [:]

    func register(_ origin: ReportOrigin, path: String) { lock.withLock { byPath[path] = origin } }

    public func origin(of path: String) -> ReportOrigin? { lock.withLock { byPath[path] } }

    func isPending(_ path: String) -> Bool { lock.withLock { byPath[path] != nil } }

    /// Called once the writer is done with the file (ingested, moved away or given up).
    func finish(_ path: String) -> ReportOrigin? { lock.withLock { byPath.removeValue(forKey: path) } }
}

extension ReportOrigin {
    func record(sha256: String, at time: Timestamp) -> UploadObjectRecord {
        UploadObjectRecord(uploadID: uploadID, url: url, version: version, sha256: sha256, downloadedAt: time)
    }
}
