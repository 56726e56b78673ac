import Foundation
import JCMCore
import Testing

/// The Debian package deploy/package-deb.sh builds. deploy/test.sh builds it once, from one
/// release build, before the suite runs (JCM_DEB names it; else the newest in .build/deb/), so
/// these tests never start a release build of their own. Installing it needs root.
@Suite("Debian package", .serialized)
struct PackageTests {
    static let deb: String? = {
        if let path = ProcessInfo.processInfo.environment["JCM_DEB"] { return path }
        let dir = DemoDaemon.repo.appendingPathComponent(".build/deb").path
        let debs = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter {
            $0.hasSuffix("_amd64.deb")
        }.sorted()
        return debs.last.map { dir + "/" + $0 }
    }()

    static func run(_ tool: String, _ args: [String], environment: [String: String]? = nil) throws -> (
        status: Int32, out: String
    ) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        if let environment { p.environment = environment }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: deb != nil))
    func itHoldsTheBinaryUnitConfigurationAndEverythingBeside() throws {
        let deb = try #require(Self.deb)
        #expect(deb.hasSuffix("/jcm-ingestd_\(Version.string)_amd64.deb"))
        let contents = try Self.run("/usr/bin/dpkg-deb", ["--contents", deb])
        #expect(contents.status == 0)
        let paths = Set(
            contents.out.split(separator: "\n").compactMap { line -> String? in
                guard let dot = line.range(of: " ./") else { return nil }
                return line[dot.upperBound...].split(separator: " -> ").first.map(String.init)
            })
        for expected in [
            "usr/lib/jcm-ingestd/jcm-ingestd", "usr/bin/jcm-ingestd",
            "usr/lib/jcm-ingestd/jcm-ingestd_JCMPostgres.resources/Migrations/0001_initial.sql",
            "usr/lib/jcm-ingestd/jcm-ingestd_JCMPostgres.resources/Migrations/0011_meter_status.sql",
            "lib/systemd/system/jcm-ingestd.service", "usr/lib/sysusers.d/jcm-ingestd.conf",
            "usr/lib/tmpfiles.d/jcm-ingestd.conf",
            "etc/jcm-ingestd/config.toml", "etc/jcm-ingestd/methodologies/pv-grid.toml",
            "usr/share/jcm-ingestd/roles.sql", "usr/share/jcm-ingestd/methodologies/pv-grid.toml",
            "usr/share/jcm-ingestd/methodologies/chiller.toml",
            "usr/share/jcm-ingestd/grafana/provisioning/datasources/jcm-ingestd.yml",
            "usr/share/jcm-ingestd/grafana/provisioning/dashboards/jcm-ingestd.yml",
            "usr/share/jcm-ingestd/grafana/dashboards/jcm-ingestd.json",
            "usr/share/jcm-ingestd/prometheus/jcm-ingestd.rules.yml",
            "usr/share/bash-completion/completions/jcm-ingestd", "usr/share/zsh/vendor-completions/_jcm-ingestd",
            "usr/share/fish/vendor_completions.d/jcm-ingestd.fish", "usr/share/man/man1/jcm-ingestd.1.gz",
            "usr/share/doc/jcm-ingestd/copyright", "usr/share/doc/jcm-ingestd/README.md",
        ] {
            #expect(paths.contains(expected), "\(expected) is not in the package")
        }
        #expect(contents.out.contains("./usr/bin/jcm-ingestd -> ../lib/jcm-ingestd/jcm-ingestd"))
        let depends = try Self.run("/usr/bin/dpkg-deb", ["--field", deb, "Depends"])
        #expect(depends.out.contains("libcurl4") && depends.out.contains("libpq5"), "\(depends.out)")
        #expect(!depends.out.contains("swift"))
        let conffiles = try Self.run("/usr/bin/dpkg-deb", ["--info", deb, "conffiles"])
        #expect(conffiles.out.split(separator: "\n").contains("/etc/jcm-ingestd/config.toml"), "\(conffiles.out)")
    }

    @Test(.enabled(if: deb != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/lintian")))
    func lintianReportsNoErrors() throws {
        let deb = try #require(Self.deb)
        let lintian = try Self.run("/usr/bin/lintian", ["--no-tag-display-limit", deb])
        let errors = lintian.out.split(separator: "\n").filter { $0.hasPrefix("E: ") }
        #expect(errors.isEmpty, "\(lintian.out)")
    }

    /// dpkg -i on this machine, then the installed command, its unit and its migrations (found
    /// beside the binary through the /usr/bin link); removed again at the end.
    @Test(.enabled(if: deb != nil && getuid() == 0))
    func itInstallsAndRunsWithoutSwift() throws {
        let deb = try #require(Self.deb)
        let install = try Self.run("/usr/bin/dpkg", ["-i", deb])
        #expect(install.status == 0, "\(install.out)")
        defer { _ = try? Self.run("/usr/bin/dpkg", ["--purge", "jcm-ingestd"]) }
        // No Swift on the PATH: the installed binary needs none.
        let env = ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"]
        let version = try Self.run("/usr/bin/jcm-ingestd", ["--version"], environment: env)
        #expect(version.status == 0 && version.out == "\(Version.string)\n", "\(version.out)")
        let ldd = try Self.run("/usr/bin/ldd", ["/usr/lib/jcm-ingestd/jcm-ingestd"])
        #expect(
            !ldd.out.contains("swift") && !ldd.out.contains("Foundation") && !ldd.out.contains("not found"),
            "\(ldd.out)")
        let verify = try Self.run("/usr/bin/systemd-analyze", ["verify", "/lib/systemd/system/jcm-ingestd.service"])
        #expect(verify.status == 0, "\(verify.out)")
        #expect(try Self.run("/usr/bin/id", ["jcm-ingestd"]).status == 0)
        let check = try Self.run(
            "/usr/bin/jcm-ingestd", ["check-config", "--config", "/etc/jcm-ingestd/config.toml"], environment: env)
        #expect(check.status == 0 && check.out.contains("OK: 0 projects, 0 meters"), "\(check.out)")
        // The migrations are read from the package's resources.
        let dir = TempDir()
        let config = dir.write(
            "c.toml",
            "[database]\nurl = \"\(try TestCluster.freshDatabase())\"\n[daemon]\nstate_dir = \"\(dir.path)\"\n")
        let migrate = try Self.run("/usr/bin/jcm-ingestd", ["migrate", "--config", config], environment: env)
        #expect(migrate.status == 0 && migrate.out.contains("\napplied migrations: 1, 2, 3"), "\(migrate.out)")
        #expect(migrate.out.contains(", 11"))
    }
}
