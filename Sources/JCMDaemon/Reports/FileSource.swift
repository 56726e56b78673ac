import Foundation
import JCMCore

/// A report file opened for reading. Refuses symbolic links (O_NOFOLLOW): a link in the
/// watched folder could point anywhere on the machine. Owns its descriptor.
final class FileSource: ByteSource {
    let fd: Int32
    let size: Int

    struct Refused: Error, CustomStringConvertible { var description: String }

    init(path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            throw Refused(description: "cannot stat: \(String(cString: strerror(errno)))")
        }
        if st.st_mode & S_IFMT == S_IFLNK {
            throw Refused(description: "symbolic link refused: report files must be regular files inside the folder")
        }
        guard st.st_mode & S_IFMT == S_IFREG else { throw Refused(description: "not a regular file") }
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if OutOfDescriptors.isResourceShortage(code) {
                throw OutOfDescriptors(what: "report_open", path: path, code: code)
            }
            throw Refused(description: "cannot open: \(String(cString: strerror(code)))")
        }
        size = Int(st.st_size)
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw Refused(description: "read failed: \(String(cString: strerror(errno)))")
        }
    }

    func rewind() { lseek(fd, 0, SEEK_SET) }

    /// SHA-256 of the whole file, hex, then back to the start.
    func sha256() throws -> String {
        var hasher = SHA256Hasher()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        rewind()
        return hasher.finalize()
    }

    /// The first bytes, for format detection, then back to the start.
    func peek(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = try buffer.withUnsafeMutableBytes { try read(into: $0) }
        rewind()
        return Array(buffer.prefix(n))
    }
}
