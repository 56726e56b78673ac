import Glibc

/// The errno names that failures to open a descriptor are counted under
/// (`jcm_open_failures_total{error=…}`): symbolic, so a dashboard can match EMFILE by name.
enum OpenFailure {
    static func name(_ code: Int32) -> String {
        switch code {
        case EMFILE: "EMFILE"
        case ENFILE: "ENFILE"
        case ENOBUFS: "ENOBUFS"
        case ENOMEM: "ENOMEM"
        case EACCES: "EACCES"
        case ENOSPC: "ENOSPC"
        case ENAMETOOLONG: "ENAMETOOLONG"
        default: "errno \(code)"
        }
    }
}

/// A descriptor that could not be opened for want of resources (EMFILE, ENFILE, ENOMEM,
/// ENOBUFS): the daemon's state, not the file's. What failed is retried once descriptors are
/// free, never refused or rejected for it.
struct OutOfDescriptors: Error, CustomStringConvertible {
    var what: String
    var path: String
    var code: Int32

    /// Whether `code` means the process or the system ran out, rather than the file being bad.
    static func isResourceShortage(_ code: Int32) -> Bool { [EMFILE, ENFILE, ENOMEM, ENOBUFS].contains(code) }

    var description: String { "cannot open \(path): \(String(cString: strerror(code))) (\(OpenFailure.name(code)))" }
}
