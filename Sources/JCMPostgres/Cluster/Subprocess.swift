import CLibPQ
import Foundation

/// Runs a program to completion with posix_spawn and waitpid. Foundation's Process is not used:
/// its wait can miss a child's exit when other threads are busy, and its children inherit our
/// blocked signals. Here the child gets default signal handling and its own process group, so a
/// Ctrl-C meant for the daemon does not also stop the PostgreSQL it started. It gets no
/// descriptor of ours beyond 0-2 either: pg_ctl's server lives on, and one it inherited (a
/// pipe another thread had just opened to a child of its own, a listening socket) would stay
/// open for as long as it runs, so that child's reader would never see end of file.
enum Subprocess {
    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs `path args…` from `/` (through env -C: glibc's spawn chdir is not exposed to Swift),
    /// so a tool running as another user is not refused our working directory.
    static func run(_ path: String, _ args: [String], outputFile: String) throws -> Result {
        let args = ["-C", "/", path] + args
        let path = "/usr/bin/env"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw EmbeddedCluster.Failure(description: "cannot run \(path): \(String(cString: strerror(rc)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw EmbeddedCluster.Failure(description: "lost track of \(path): \(String(cString: strerror(errno)))")
            }
        }
        let output = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        let exited = status & 0x7f == 0
        return Result(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output: output)
    }
}
