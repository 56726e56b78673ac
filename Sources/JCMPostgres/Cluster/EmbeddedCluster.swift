import Foundation
import Logging

/// A private PostgreSQL cluster under a folder of ours: the default when no database is
/// configured, and what the test suite runs against. It listens on a Unix socket only, inside
/// its own folder, with trust authentication: nothing outside the machine can reach it, and
/// the folder's permissions guard it on the machine.
///
/// PostgreSQL refuses to run as root, so under root the server runs as the `postgres` account
/// (through runuser), and the folder is handed to that account.
public struct EmbeddedCluster: Sendable {
    public let root: String
    public var dataDir: String { root + "/data" }
    public var socketDir: String { root + "/run" }
    public var logFile: String { root + "/server.log" }
    public let user = "jcm"
    public let database: String
    /// Turns off fsync: for throwaway test clusters only.
    public let durable: Bool

    public init(root: String, database: String = "jcm", durable: Bool = true) {
        self.root = root
        self.database = database
        self.durable = durable
    }

    public func conninfo(database: String? = nil) -> String {
        "host='\(socketDir.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))' port=5432 user=\(user) dbname=\(database ?? self.database)"
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Creates the cluster if needed and starts it unless it already runs. Returns whether this
    /// call started it (and so should stop it).
    @discardableResult
    public func start(logger: Logger) throws -> Bool {
        let fm = FileManager.default
        let bin = try Self.binDir()
        let asRoot = getuid() == 0
        guard (socketDir + "/.s.PGSQL.5432").utf8.count < 108 else {
            throw Failure(
                description:
                    "state_dir is too deep for a Unix socket path (108 bytes): \(socketDir); choose a shorter one")
        }
        guard !socketDir.contains("'") else {
            throw Failure(description: "state_dir must not contain a quote: \(root)")
        }
        try fm.createDirectory(atPath: socketDir, withIntermediateDirectories: true)
        if asRoot { try handToPostgres() }
        if !fm.fileExists(atPath: dataDir + "/PG_VERSION") {
            logger.info("creating embedded PostgreSQL cluster", metadata: ["dir": "\(dataDir)"])
            var args = ["-D", dataDir, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
            if !durable { args.append("--no-sync") }
            try run(bin + "/initdb", args, asRoot: asRoot)
        }
        var started = false
        if (try? run(bin + "/pg_ctl", ["-D", dataDir, "status"], asRoot: asRoot, quiet: true)) == nil {
            started = true
            var options = "-c listen_addresses='' -k '\(socketDir)' -p 5432"
            if !durable { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
            try run(
                bin + "/pg_ctl", ["-D", dataDir, "-l", logFile, "-o", options, "-w", "-t", "60", "start"],
                asRoot: asRoot)
            logger.info("embedded PostgreSQL started", metadata: ["socket": "\(socketDir)"])
        }
        try ensureDatabase(database)
        return started
    }

    public func ensureDatabase(_ name: String) throws {
        let admin = try Connection(conninfo: conninfo(database: "postgres"))
        if try admin.query("select 1 from pg_database where datname = $1", [.text(name)]).isEmpty {
            // CREATE DATABASE binds no parameter: the server quotes the name (format's %I).
            try admin.execute(
                try admin.query("select format('create database %I', $1::text)", [.text(name)])[0].string(0))
        }
    }

    public func stop() throws {
        let bin = try Self.binDir()
        try run(bin + "/pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"], asRoot: getuid() == 0)
    }

    private func handToPostgres() throws {
        guard let pw = getpwnam("postgres") else {
            throw Failure(
                description:
                    "running as root, and there is no postgres account to run the embedded cluster as (apt-get install postgresql creates it)"
            )
        }
        for path in [root, socketDir] + (FileManager.default.fileExists(atPath: dataDir) ? [dataDir] : []) {
            guard chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else {
                throw Failure(
                    description: "cannot hand \(path) to the postgres account: \(String(cString: strerror(errno)))")
            }
        }
        chmod(root, 0o755)
        // Trust authentication: the socket's folder is the lock. Only postgres (and root) enter.
        chmod(socketDir, 0o700)
        // Every folder above the cluster must let postgres through.
        var dir = (root as NSString).deletingLastPathComponent
        while dir != "/" && !dir.isEmpty {
            var st = stat()
            if stat(dir, &st) == 0, st.st_mode & 0o001 == 0 {
                throw Failure(
                    description:
                        "the postgres account cannot enter \(dir) (mode \(String(st.st_mode & 0o777, radix: 8))); choose a state_dir it can reach"
                )
            }
            dir = (dir as NSString).deletingLastPathComponent
        }
    }

    @discardableResult
    private func run(_ tool: String, _ args: [String], asRoot: Bool, quiet: Bool = false) throws -> String {
        // A file, not a pipe: the server pg_ctl starts inherits its output and would hold a
        // pipe open forever.
        let result =
            asRoot
            ? try Subprocess.run(
                "/usr/sbin/runuser", ["-u", "postgres", "--", tool] + args, outputFile: root + "/.command-output")
            : try Subprocess.run(tool, args, outputFile: root + "/.command-output")
        guard result.status == 0 else {
            if quiet { throw Failure(description: result.output) }
            var message =
                "\((tool as NSString).lastPathComponent) failed (exit \(result.status)): \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))"
            if let log = try? String(contentsOfFile: logFile, encoding: .utf8) {
                message +=
                    "\n--- \(logFile) (last lines) ---\n"
                    + log.split(separator: "\n").suffix(15).joined(separator: "\n")
            }
            throw Failure(description: message)
        }
        return result.output
    }

    /// PostgreSQL's server programs: $JCM_PG_BINDIR, else the newest /usr/lib/postgresql/N/bin
    /// (Debian keeps initdb and pg_ctl off PATH), else PATH.
    public static func binDir() throws -> String {
        let fm = FileManager.default
        if let dir = ProcessInfo.processInfo.environment["JCM_PG_BINDIR"] { return dir }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init)
            .sorted()
        for v in versions.reversed() where fm.isExecutableFile(atPath: "/usr/lib/postgresql/\(v)/bin/initdb") {
            return "/usr/lib/postgresql/\(v)/bin"
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where fm.isExecutableFile(atPath: "\(dir)/initdb") {
            return String(dir)
        }
        throw Failure(
            description:
                "PostgreSQL server programs not found (initdb, pg_ctl): apt-get install postgresql, or set JCM_PG_BINDIR"
        )
    }
}
