import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Logging

/// One real PostgreSQL cluster per test process, started by the same code as the daemon's
/// embedded default (initdb + pg_ctl, as `postgres` when the tests run as root), in a fresh
/// temporary folder, stopped at exit. Every test gets a database of its own.
enum TestCluster {
    static let logger: Logger = {
        var l = Logger(label: "test")
        l.logLevel = .warning
        return l
    }()

    static let shared: EmbeddedCluster = {
        var template = Array("/tmp/jcm-test-XXXXXX".utf8CString)
        let root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        chmod(root, 0o755)  // the server may run as postgres, which must get through
        let cluster = EmbeddedCluster(root: root + "/pg", database: "postgres", durable: false)
        do {
            try cluster.start(logger: logger)
        } catch {
            fatalError("test cluster did not start: \(error)")
        }
        atexit {
            try? TestCluster.shared.stop()
            try? FileManager.default.removeItem(atPath: (TestCluster.shared.root as NSString).deletingLastPathComponent)
        }
        return cluster
    }()

    private static let counter = Counter()

    /// A new, empty database; returns its conninfo.
    static func freshDatabase() throws -> String {
        let name = "t\(counter.next())_\(getpid())"
        try shared.ensureDatabase(name)
        return shared.conninfo(database: name)
    }

    /// A fresh folder inside the cluster's temporary root (removed at exit with it), reachable
    /// by the postgres account.
    static func scratch() -> String {
        let dir = (shared.root as NSString).deletingLastPathComponent + "/scratch-\(counter.next())"
        mkdir(dir, 0o755)
        return dir
    }

    /// A fresh database, migrated, with the configuration mirrored in.
    static func context(_ config: Config) throws -> (conninfo: String, context: IngestContext) {
        let conninfo = try freshDatabase()
        return (conninfo, try IngestContext.open(conninfo: conninfo, config: config, logger: logger))
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}

/// A scratch folder removed when the test ends.
final class TempDir {
    let path: String
    init() {
        var template = Array("/tmp/jcm-files-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let p = file(name)
        _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        return p
    }
}

/// Runs a query and returns the rows as text.
func rows(_ conninfo: String, _ sql: String, _ params: [String?] = []) throws -> [[String?]] {
    try Connection(conninfo: conninfo).query(sql, params).rows
}

func scalar(_ conninfo: String, _ sql: String, _ params: [String?] = []) throws -> String? {
    try rows(conninfo, sql, params).first?.first ?? nil
}

/// Polls `condition` until it holds or `seconds` pass (for the daemon's threads). A condition
/// that throws (the schema is not there yet) counts as not holding.
func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if (try? condition()) == true { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return (try? condition()) == true
}
