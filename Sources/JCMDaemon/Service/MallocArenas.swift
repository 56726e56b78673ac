import Foundation

/// glibc's malloc tuning for the daemon. Swift's Glibc module does not import malloc.h, so its
/// two calls are declared here by name.
public enum MallocArenas {
    /// At most four malloc arenas for the daemon's threads instead of glibc's eight per core.
    /// Each thread that allocates gets an arena of its own, which keeps the pages it once used:
    /// with a dozen threads (libcurl's, the writer's, the spool's, NIO's, the pool's), polling
    /// 10,000 meters peaked at 124 MB resident with glibc's default, at 114 to 123 MB with four
    /// (bench/poll-fleet.sh, runs side by side) for no CPU the benchmark could tell; two saved
    /// no more and cost CPU. Called before the threads start; a MALLOC_ARENA_MAX or
    /// GLIBC_TUNABLES of the operator's own is left to decide.
    public static func limit(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["MALLOC_ARENA_MAX"] == nil, !(environment["GLIBC_TUNABLES"] ?? "").contains("arena_max")
        else { return }
        _ = mallopt(arenaMaxParameter, 4)
    }

    /// M_ARENA_MAX in malloc.h.
    private static let arenaMaxParameter: Int32 = -8
}

@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// glibc's malloc_trim(3): returns the free pages of every malloc arena to the kernel.
@_silgen_name("malloc_trim")
func releaseFreedMemory(_ pad: Int) -> Int32
