import Foundation
@_spi(ExperimentalCustomExecutors) import _Concurrency

/// The daemon's tasks run on threads of its own, not on libdispatch's pool, which is Swift
/// concurrency's default on Linux. libdispatch watches its workers by opening
/// `/proc/self/task/N/stat` once a second and traps (SIGILL) when that open fails: at the
/// open-file limit (EMFILE) the daemon died instead of riding the shortage out, its spooled
/// polls waiting for the restart (MetricsServerAttackTests). Its timers (`Task.sleep`) ran
/// there too; `ThreadTaskExecutor` keeps them itself.
///
/// Swift 6.3's custom executors are an experimental interface (SPI): a toolchain that changes
/// it fails the build here, not the daemon at run time.
public enum DefaultExecutor {
    /// One thread per core, as the pool it replaces.
    static let shared = ThreadTaskExecutor(
        name: "swift-pool", threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// Called before any task starts (the first thing `run` does): the runtime takes its
    /// executors once.
    public static func install() {
        _createExecutors(factory: Factory.self)
    }

    private struct Factory: ExecutorFactory {
        static var mainExecutor: any MainExecutor { PlatformExecutorFactory.mainExecutor }
        static var defaultExecutor: any TaskExecutor { DefaultExecutor.shared }
    }
}
