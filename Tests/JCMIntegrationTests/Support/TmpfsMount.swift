import Foundation

/// A small tmpfs mounted on a fresh folder, for a real "No space left on device". Needs root
/// (the tests run as root in CI); unmounted when dropped.
final class TmpfsMount {
    let path: String
    private let dir = TempDir()

    init?(bytes: Int) {
        path = dir.path
        guard getuid() == 0,
            Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0755", "tmpfs", dir.path])
        else { return nil }
    }

    deinit { _ = Self.run("/bin/umount", [path]) }

    static let available: Bool = TmpfsMount(bytes: 4096) != nil

    private static func run(_ tool: String, _ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
