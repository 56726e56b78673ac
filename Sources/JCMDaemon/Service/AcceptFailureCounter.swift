import Glibc
import NIOCore

/// First in the /metrics listener's pipeline: tells the daemon when accept() fails for want of a
/// resource, before NIO's own `AcceptBackoffHandler` pauses accepting for a second and swallows
/// the error.
final class AcceptFailureCounter: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = any Channel

    private let onEvent: @Sendable (MetricsServerEvent) -> Void

    init(onEvent: @escaping @Sendable (MetricsServerEvent) -> Void) { self.onEvent = onEvent }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode) {
            onEvent(.acceptFailed(errno: error.errnoCode))
        }
        context.fireErrorCaught(error)
    }
}
