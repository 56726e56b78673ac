import Foundation

/// Why an `HTTPServer` could not be set up. Every case names the address so a
/// failed `simulate --listen` tells the operator which address was refused.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// getaddrinfo could not turn the host into an address.
    case cannotResolve(address: String, reason: String)
    /// A socket call failed; `call` is the syscall name, `code` its errno.
    case cannotListen(address: String, call: String, code: Int32)
    /// The internal wake-up pipe could not be created.
    case cannotCreateWakePipe(code: Int32)

    public var description: String {
        switch self {
        case .cannotResolve(let address, let reason):
            return "cannot listen on \(address): cannot resolve host: \(reason)"
        case .cannotListen(let address, let call, let code):
            return "cannot listen on \(address): \(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .cannotCreateWakePipe(let code):
            return "cannot create HTTP server wake-up pipe: \(String(cString: strerror(code))) (errno \(code))"
        }
    }

    public var errorDescription: String? { description }

    /// "host:port", bracketing IPv6 literals so the port stays unambiguous.
    static func formatAddress(host: String, port: UInt16) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
