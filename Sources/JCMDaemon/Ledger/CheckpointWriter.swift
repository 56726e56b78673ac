import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// Writes each chain's signed checkpoint (Checkpoint): in `state_dir/checkpoints/` (the latest
/// per chain, `<project as hex>.checkpoint`), in jcm.checkpoints, and to the witness folder and
/// URL when configured. A witness that fails is logged, never in the way of writing.
public final class CheckpointWriter {
    private let signer: LedgerSigner
    private let dir: String
    private let witnessDir: String?
    private let witnessURL: String?
    private let logger: Logger
    /// The size last written per chain: a chain that did not move gets no new checkpoint.
    private var written: [String: Int64] = [:]

    public init(config: Config, signer: LedgerSigner, logger: Logger) {
        self.signer = signer
        dir = Self.folder(stateDir: config.daemon.stateDir)
        witnessDir = config.daemon.checkpointWitnessDir
        witnessURL = config.daemon.checkpointWitnessURL
        self.logger = logger
    }

    public static func folder(stateDir: String) -> String { stateDir + "/checkpoints" }

    /// Writes the checkpoints of the chains whose head moved; returns how many.
    @discardableResult
    public func write(_ heads: [String: ChainHeadGuard.Head], db: Connection) throws -> Int {
        var n = 0
        for project in heads.keys.sorted() where written[project] != heads[project]!.seq {
            let head = heads[project]!
            try write(Checkpoint(project: project, size: head.seq, hash: head.hash), db: db)
            written[project] = head.seq
            n += 1
        }
        return n
    }

    /// One checkpoint: the table first (it commits or the files are not written), then the files.
    /// Returns the files written (the state folder's, and the witness folder's copy).
    @discardableResult
    public func write(_ checkpoint: Checkpoint, db: Connection) throws -> [String] {
        let note = try checkpoint.signed(by: signer)
        try db.query(
            "insert into jcm.checkpoints (project, size, hash, note) values ($1, $2, decode($3, 'hex'), $4)",
            [checkpoint.project, String(checkpoint.size), LedgerDigest.hex(checkpoint.hash), note])
        let name = Self.fileName(checkpoint)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.replace(dir + "/" + name, with: note)
        var files = [dir + "/" + name]
        if let witnessDir {
            do {
                try FileManager.default.createDirectory(atPath: witnessDir, withIntermediateDirectories: true)
                try Self.replace(witnessDir + "/" + name, with: note)
                files.append(witnessDir + "/" + name)
            } catch {
                logger.error(
                    "checkpoint not copied to the witness folder",
                    metadata: ["dir": "\(witnessDir)", "error": "\(error)"])
            }
        }
        if let witnessURL {
            let status = (try? EasyHandle())?.post(
                url: witnessURL, body: note, contentType: "text/plain; charset=utf-8", timeoutMs: 10_000)
            if case .success(let code)? = status, 200..<300 ~= code {
            } else {
                logger.error(
                    "checkpoint not accepted by the witness URL",
                    metadata: ["url": "\(URLRedaction.redact(witnessURL))", "result": "\(String(describing: status))"])
            }
        }
        return files
    }

    /// The latest of a chain, or of a period's declaration (its own file, kept).
    static func fileName(_ c: Checkpoint) -> String {
        let chain = LedgerDigest.hex(Array(c.project.utf8))
        return c.period.map { "\(chain).period-\(LedgerDigest.hex(Array($0.utf8))).checkpoint" }
            ?? "\(chain).checkpoint"
    }

    private static func replace(_ path: String, with text: String) throws {
        let temp = path + ".part"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8)), rename(temp, path) == 0 else {
            throw KeyFileError(message: "\(path): cannot write the checkpoint: \(String(cString: strerror(errno)))")
        }
    }

    /// Every checkpoint kept in `state_dir/checkpoints/`, one note after the other.
    public static func latest(stateDir: String) -> String {
        let dir = folder(stateDir: stateDir)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter {
            $0.hasSuffix(".checkpoint")
        }.sorted()
        return files.compactMap { try? String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }.joined()
    }
}
