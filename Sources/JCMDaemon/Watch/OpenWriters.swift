import Foundation

/// Which files some process holds open for writing, read from /proc/PID/fd and fdinfo: a file
/// found in a watched folder at start may still be growing, and its writer's close (IN_CLOSE_WRITE)
/// is then the moment to take it. Only processes this one may see are seen (systemd's
/// ProtectProc=invisible hides other users'); for those the quiet period of the scan remains.
enum OpenWriters {
    struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Those of `files` open for writing (O_WRONLY or O_RDWR) by some visible process.
    static func openForWriting(among files: Set<FileID>) -> Set<FileID> {
        guard !files.isEmpty, let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
            return []
        }
        var found: Set<FileID> = []
        for pid in pids where pid.first?.isNumber == true {
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            for fd in fds {
                var st = stat()
                guard stat("/proc/\(pid)/fd/\(fd)", &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
                let id = FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
                guard files.contains(id), !found.contains(id), isWriting(pid: pid, fd: fd) else { continue }
                found.insert(id)
            }
        }
        return found
    }

    /// fdinfo's `flags:` is the open mode in octal; its low two bits are O_ACCMODE.
    private static func isWriting(pid: String, fd: String) -> Bool {
        guard let info = try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags:") }),
            let flags = Int(line.dropFirst("flags:".count).trimmingCharacters(in: .whitespaces), radix: 8)
        else { return false }
        let mode = Int32(flags) & O_ACCMODE
        return mode == O_WRONLY || mode == O_RDWR
    }
}
