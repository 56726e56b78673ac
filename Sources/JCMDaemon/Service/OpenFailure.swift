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
