import Foundation
import JCMCore
import JCMPostgres
import Logging

/// Which PostgreSQL the daemon writes to, and the embedded cluster when it is ours.
public struct DatabaseTarget {
    public var conninfo: String
    /// Set when we started the embedded cluster, so whoever started it stops it.
    public var startedCluster: EmbeddedCluster?

    /// A server named outright (`verify --conninfo`), or libpq's environment when "".
    public static func direct(_ conninfo: String) -> DatabaseTarget {
        setenv("PGCONNECT_TIMEOUT", "10", 0)
        return DatabaseTarget(conninfo: conninfo)
    }

    /// `database.url` when set; else libpq's own environment when it names a server (PGHOST,
    /// PGHOSTADDR, PGSERVICE or PGDATABASE; libpq then reads every PG* variable and service file,
    /// as for every PostgreSQL client); else the embedded cluster under `state_dir/postgres`.
    public static func resolve(
        _ config: Config, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> DatabaseTarget {
        loadPasswordCredential(environment: environment)
        // A server that does not answer must not hang start-up or shutdown (libpq waits forever
        // by default); a conninfo or PGCONNECT_TIMEOUT of the operator's own still wins.
        setenv("PGCONNECT_TIMEOUT", "10", 0)
        if !config.database.url.isEmpty { return DatabaseTarget(conninfo: config.database.url) }
        if ["PGHOST", "PGHOSTADDR", "PGSERVICE", "PGDATABASE"].contains(where: { environment[$0] != nil }) {
            return DatabaseTarget(conninfo: "")
        }
        let cluster = embeddedCluster(config)
        let started = try cluster.start(logger: logger)
        return DatabaseTarget(conninfo: cluster.conninfo(), startedCluster: started ? cluster : nil)
    }

    /// systemd's LoadCredential=db-password:… puts the password in $CREDENTIALS_DIRECTORY, so it
    /// is in neither the unit nor the configuration. libpq takes it from PGPASSWORD, which only
    /// this process (and its children) sees.
    static func loadPasswordCredential(environment: [String: String]) {
        guard let dir = environment["CREDENTIALS_DIRECTORY"],
            let password = try? String(contentsOfFile: dir + "/db-password", encoding: .utf8)
        else { return }
        let trimmed = password.trimmingCharacters(in: .newlines)
        if !trimmed.isEmpty { setenv("PGPASSWORD", trimmed, 1) }
    }

    public static func embeddedCluster(_ config: Config) -> EmbeddedCluster {
        EmbeddedCluster(root: (config.daemon.stateDir as NSString).appendingPathComponent("postgres"))
    }

    public func stop(logger: Logger) {
        guard let cluster = startedCluster else { return }
        do {
            try cluster.stop()
            logger.info("embedded PostgreSQL stopped")
        } catch {
            logger.error("embedded PostgreSQL did not stop", metadata: ["error": "\(error)"])
        }
    }
}
