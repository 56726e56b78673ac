import Foundation
import JCMCore

/// glibc's malloc tuning for the daemon. Swift's Glibc module does not import malloc.h, so its
/// two calls are declared here by name.
public enum MallocArenas {
    /// At most four malloc arenas for the daemon's threads instead of glibc's eight per core.
    /// Each thread that allocates gets an arena of its own, which keeps the pages it once used:
    /// with a dozen threads (libcurl's, the writer's, the spool's, NIO's, the pool's), polling
    /// 10,000 meters peaked at 124 MB resident with glibc's default, at 114 to 123 MB with four
    /// (bench/poll-fleet.sh, runs side by side). One arena for all peaked at 92 to 94 MB but
    /// cost a fifth more CPU per poll, its lock taken in turn by the poller and the writer.
    /// Called before the threads start; a MALLOC_ARENA_MAX or GLIBC_TUNABLES of the operator's
    /// own is left to decide.
    public static func limit(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["MALLOC_ARENA_MAX"] == nil, !(environment["GLIBC_TUNABLES"] ?? "").contains("arena_max")
        else { return }
        _ = mallopt(arenaMaxParameter, 4)
    }

    /// `work`, run on a thread of its own while the caller waits. glibc gives that thread an
    /// arena of its own, so what `work` builds and drops (the configuration's TOML tree, some
    /// 40 MB for 10,000 meters) is freed there whole instead of leaving holes around what the
    /// caller keeps: at 10,000 meters the main arena held 26 MB resident for 10 MB of
    /// configuration when both were built on one thread, 13 MB with the tree apart.
    public static func apart<Input: Sendable, Output: Sendable, Failure: Error>(
        _ work: @escaping @Sendable (Input) throws(Failure) -> Output
    ) -> (Input) throws(Failure) -> Output {
        { (input: Input) throws(Failure) -> Output in
            let outcome = WaitableMutex<Result<Output, Failure>?>(nil)
            Thread {
                let result = Result { () throws(Failure) -> Output in try work(input) }
                outcome.update { $0 = result }
            }.start()
            return try outcome.wait { $0.map { .done($0) } ?? .wait(until: nil) }.get()
        }
    }

    /// M_ARENA_MAX in malloc.h.
    private static let arenaMaxParameter: Int32 = -8
}

@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// glibc's malloc_trim(3): returns the free pages of every malloc arena to the kernel.
@_silgen_name("malloc_trim")
func releaseFreedMemory(_ pad: Int) -> Int32
