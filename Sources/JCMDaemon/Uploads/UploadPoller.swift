import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// Polls each `[[upload]]` source: lists it, downloads what is new or changed into
/// `state_dir/uploads/ID/incoming/`, and hands each file to the writer like a watched folder's,
/// with its URL as its origin. What was downloaded is remembered in jcm.upload_objects (written
/// with the file's batch), so a restart downloads nothing twice. A listing or download that
/// fails is logged and tried again at the next interval; it never stops the daemon.
public final class UploadPoller: Sendable {
    struct Source: Sendable {
        var upload: Config.Upload
        var secrets: UploadSecrets.Resolved
        var folders: Config.Watch
    }

    /// What only the polling thread (`run`) keeps of a source between rounds.
    private struct Progress {
        var due = Date.distantPast
        var transfer: FileDownload?
    }

    /// A listing page larger than this is refused: an index of many thousand files is far smaller.
    static let maxListingBytes: Int64 = 64 << 20
    /// S3 pages of one round (1000 keys each): a bound on a runaway continuation loop.
    static let maxListingPages = 10_000

    private let sources: [Source]
    private let conninfo: String
    private let logger: Logger
    private let metrics: Metrics
    private let submit: @Sendable (String, Config.Watch, ReportOrigin) -> Void
    /// Whether a download at this path is still waiting for the writer (IngestWriter.isDownloadPending).
    private let isPending: @Sendable (String) -> Bool
    private struct State: Sendable {
        var stopping = false
        /// Versions handed to the writer and finished with during this run, by URL: a file the
        /// writer gave up on (the database refused it) is not downloaded again every interval.
        var handled: [String: UploadVersion] = [:]
    }
    /// A WaitableMutex because `run` waits on it until the next source is due, or `stop`.
    private let state = WaitableMutex(State())
    /// What a listing or download answers is logged and stored through it (an echoing server).
    private let redactor: SecretRedactor

    init(
        uploads: [Config.Upload], stateDir: String, secrets: [String: UploadSecrets.Resolved], conninfo: String,
        logger: Logger, metrics: Metrics,
        isPending: @escaping @Sendable (String) -> Bool,
        submit: @escaping @Sendable (String, Config.Watch, ReportOrigin) -> Void
    ) {
        sources = uploads.map {
            Source(
                upload: $0, secrets: secrets[$0.id] ?? .init(security: TransferSecurity()),
                folders: $0.folders(stateDir: stateDir))
        }
        redactor = UploadSecrets.redactor(uploads, secrets)
        self.conninfo = conninfo
        self.logger = logger
        self.metrics = metrics
        self.isPending = isPending
        self.submit = submit
    }

    public func stop() {
        state.update { $0.stopping = true }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    /// Called by the writer once it is done with a downloaded file (ingested and moved, or given up).
    func finished(_ origin: ReportOrigin) {
        state.withLock { $0.handled[origin.url] = origin.version }
    }

    func run() {
        for s in sources {
            logger.info(
                "polling upload source",
                metadata: [
                    "upload.id": "\(s.upload.id)", "url": "\(URLRedaction.redact(s.upload.url))",
                    "listing": "\(s.upload.listing.rawValue)",
                ])
            if s.secrets.signing == nil, s.upload.auth.kind != .none, s.upload.url.hasPrefix("http://") {
                logger.warning(
                    "credentials are sent over plain http to this upload source",
                    metadata: ["upload.id": "\(s.upload.id)"])
            }
            removeLeftovers(s.folders.dir)
        }
        var progress = sources.map { _ in Progress() }
        var db: Connection?
        while !isStopping {
            let now = Date()
            for i in sources.indices where progress[i].due <= now && !isStopping {
                progress[i].due = now + Double(sources[i].upload.intervalMilliseconds) / 1_000
                round(sources[i], &progress[i], db: &db)
            }
            let next = (progress.map(\.due).min() ?? Date() + 60).timeIntervalSince1970
            state.wait { s -> WaitableMutex<State>.Step<Void> in
                s.stopping || WaitableMutex<State>.now() >= next ? .done(()) : .wait(until: next)
            }
        }
    }

    /// Partial downloads of a run that was stopped: never handed on, so never needed.
    private func removeLeftovers(_ dir: String) {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        where name.hasPrefix(".") && name.hasSuffix(".part") {
            unlink((dir as NSString).appendingPathComponent(name))
        }
    }

    private func round(_ source: Source, _ progress: inout Progress, db: inout Connection?) {
        let id = source.upload.id
        let remembered: [String: UploadVersion]
        do {
            if db == nil || db?.isHealthy == false { db = try Connection(conninfo: conninfo) }
            remembered = try db!.rememberedUploads(uploadID: id).merging(state.withLock { $0.handled }) { _, here in
                here
            }
        } catch {
            db = nil
            // Without what was downloaded before, everything would be downloaded again.
            logger.error(
                "upload source skipped this round: cannot read what was downloaded before",
                metadata: ["upload.id": "\(id)", "error": "\(error)"])
            metrics.add("jcm_upload_listings_total", ["result": "failed"])
            return
        }
        let entries: [UploadEntry]
        let transfer: FileDownload
        do {
            if progress.transfer == nil {
                progress.transfer = try FileDownload(
                    security: source.secrets.security, signing: source.secrets.signing,
                    limits: .init(
                        connectTimeoutMs: Int(source.upload.connectTimeoutMilliseconds),
                        timeoutMs: Int(source.upload.timeoutMilliseconds))
                ) { [weak self] in self?.isStopping ?? true }
            }
            transfer = progress.transfer!
            entries = try list(source.upload, with: transfer)
            metrics.add("jcm_upload_listings_total", ["result": "ok"])
        } catch {
            logger.warning(
                "upload listing failed; tried again at the next interval",
                metadata: ["upload.id": "\(id)", "error": "\(redactor.redact("\(error)"))"])
            metrics.add("jcm_upload_listings_total", ["result": "failed"])
            return
        }
        logger.debug("upload listing read", metadata: ["upload.id": "\(id)", "files": "\(entries.count)"])
        var taken: Set<String> = []
        for entry in entries where !isStopping {
            guard FolderWatcher.isCandidate(entry.name) else { continue }
            let url = URLRedaction.redact(entry.url)
            guard !FileNames.isUnsafe(entry.name) else {
                // A NUL would cut the local name short (`a.csv%00zzz` would land on `a.csv`).
                logger.warning(
                    "upload refused: its name has control characters",
                    metadata: [
                        "upload.id": "\(id)", "url": "\(url)", "name": "\(entry.name)",
                    ])
                metrics.add("jcm_upload_downloads_total", ["result": "refused_name"])
                continue
            }
            let path = (source.folders.dir as NSString).appendingPathComponent(
                Self.localName(entry, url: url, taken: &taken))
            // The copy of an earlier version (or of a same-named file) is still waiting.
            guard !isPending(path) else { continue }
            var headers: [String] = []
            switch UploadVersion.decide(listed: entry.version, remembered: remembered[url]) {
            case .skip: continue
            case .fetch: break
            case .fetchIfChanged(let etag, let modified):
                if let etag { headers.append("If-None-Match: \(etag)") }
                if let modified { headers.append("If-Modified-Since: \(modified)") }
            }
            fetch(entry, url: url, to: path, headers: headers, source: source, with: transfer)
        }
    }

    private func list(_ upload: Config.Upload, with transfer: FileDownload) throws -> [UploadEntry] {
        func page(_ url: String) throws -> [UInt8] {
            let (response, body) = try transfer.get(url, maxBytes: Self.maxListingBytes)
            let shown = Self.shown(url)
            if response.exceededCap {
                throw UploadListingError(url: shown, message: "larger than \(Self.maxListingBytes) bytes")
            }
            guard response.status == 200 else {
                let excerpt = String(decoding: body.prefix(300), as: UTF8.self)
                throw UploadListingError(
                    url: shown, message: "HTTP status \(response.status)" + (excerpt.isEmpty ? "" : ": \(excerpt)"))
            }
            return body
        }
        let shown = URLRedaction.redact(upload.url)
        switch upload.listing {
        case .nginxJSON: return try NginxJSONListing.parse(try page(upload.url), listingURL: shown)
        case .html: return try HTMLIndexListing.parse(try page(upload.url), listingURL: shown)
        case .s3:
            var all: [UploadEntry] = []
            var token: String?
            for _ in 0..<Self.maxListingPages {
                let url = UploadURL.s3List(bucketURL: upload.url, prefix: upload.prefix, continuationToken: token)
                let result = try S3ListingPage.parse(try page(url), bucketURL: upload.url, listingURL: Self.shown(url))
                all += result.entries
                guard let next = result.nextContinuationToken else { return all }
                token = next
            }
            throw UploadListingError(
                url: shown, message: "more than \(Self.maxListingPages) pages; narrow it with prefix")
        }
    }

    /// A listing URL for logs: credentials redacted, but an S3 listing's query kept (the
    /// prefix and page token are not secrets, and they say which page failed).
    static func shown(_ url: String) -> String {
        guard let q = url.firstIndex(of: "?"), url.contains("list-type=2") else { return URLRedaction.redact(url) }
        return URLRedaction.redact(String(url[..<q])) + url[q...]
    }

    /// The name of a download in incoming/: the listed name when it is free in this listing and
    /// leaves room for `.NAME.part`; else its start, a hash of its URL and its extension. Two
    /// entries never share a local name (S3 keys `a/b` and `a_b` both read `a_b`), and the URL,
    /// kept as the batch's origin, still names the file in full.
    static func localName(_ entry: UploadEntry, url: String, taken: inout Set<String>) -> String {
        let room = FileNames.maxBytes - ".part".utf8.count - 1
        var name =
            entry.name.utf8.count <= room ? entry.name : FileNames.tagged(entry.name, with: entry.name, maxBytes: room)
        if taken.contains(name) { name = FileNames.tagged(entry.name, with: url, maxBytes: room) }
        taken.insert(name)
        return name
    }

    /// Downloads one file beside its final name, then renames it into place and hands it on.
    private func fetch(
        _ entry: UploadEntry, url: String, to path: String, headers: [String], source: Source,
        with transfer: FileDownload
    ) {
        let id = source.upload.id
        let part = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
            ".\((path as NSString).lastPathComponent).part")
        let cap = source.upload.maxFileBytes
        func failed(_ why: String, result: String = "failed") {
            unlink(part)
            logger.warning(
                "upload download failed; tried again at the next interval",
                metadata: ["upload.id": "\(id)", "url": "\(url)", "error": "\(redactor.redact(why))"])
            metrics.add("jcm_upload_downloads_total", ["result": "\(result)"])
        }
        let response: FileDownload.Response
        do {
            try FileManager.default.createDirectory(atPath: source.folders.dir, withIntermediateDirectories: true)
            response = try transfer.download(entry.url, to: part, headers: headers, maxBytes: cap)
        } catch {
            return failed("\(error)")
        }
        if response.status == 304 {
            unlink(part)
            metrics.add("jcm_upload_downloads_total", ["result": "not_modified"])
            return
        }
        guard response.status == 200 else { return failed("HTTP status \(response.status)") }
        // The listing and the file disagree: it changed meanwhile (an upload still being written).
        if !response.exceededCap, let listed = entry.version.size, listed != response.bytes {
            return failed(
                "listed as \(listed) bytes but \(response.bytes) arrived; the file is changing", result: "changing")
        }
        let version = entry.version.filled(
            etag: response.etag, size: response.exceededCap ? nil : response.bytes, modified: response.lastModified)
        var origin = ReportOrigin(
            uploadID: id, url: url, version: version, cutAtBytes: response.exceededCap ? cap : nil)
        origin.redactor = redactor
        // In flight from the submit below on; only this thread downloads, and it asks first.
        // link + unlink rather than rename, which would replace a file already at `path`.
        guard link(part, path) == 0 else {
            return failed("cannot move the download to \(path): \(String(cString: strerror(errno)))")
        }
        unlink(part)
        if response.exceededCap {
            logger.error(
                "uploaded file larger than max_file_bytes: cut off, kept and refused",
                metadata: [
                    "upload.id": "\(id)", "url": "\(url)", "max_file_bytes": "\(cap)", "file": "\(path)",
                ])
            metrics.add("jcm_upload_downloads_total", ["result": "too_large"])
        } else {
            logger.info(
                "uploaded file downloaded",
                metadata: ["upload.id": "\(id)", "url": "\(url)", "bytes": "\(response.bytes)"])
            metrics.add("jcm_upload_downloads_total", ["result": "ok"])
        }
        submit(path, source.folders, origin)
    }
}
