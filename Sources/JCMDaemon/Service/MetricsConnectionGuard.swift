import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// One /metrics connection's limits, in its channel pipeline after HTTP decoding: it takes its
/// place in the shared `MetricsConnectionTable` (closing the least recently active connection
/// when full), gives a request `Limits.requestTimeout` to arrive whole from the connection's
/// start or the previous answer, closes a connection that sends no new request within
/// `Limits.idleTimeout` of an answer, and closes the connection once an answer that says
/// `Connection: close` (a refused body) is written, so the body is never read.
///
/// Bytes trickled into an unfinished head (slowloris) reach no handler after the decoder, so they
/// neither reset the timers nor count as activity: such a connection is the first evicted.
final class MetricsConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Waiting { case request, nextRequest }

    private let table: MetricsConnectionTable
    private let limits: MetricsServer.Limits
    private let onEvent: @Sendable (MetricsServerEvent) -> Void
    private var started = false
    private var timer: Scheduled<Void>?
    private var armed: Waiting?
    private var closeAfterAnswer = false

    init(
        table: MetricsConnectionTable, limits: MetricsServer.Limits,
        onEvent: @escaping @Sendable (MetricsServerEvent) -> Void
    ) {
        self.table = table
        self.limits = limits
        self.onEvent = onEvent
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        if let evicted = table.opened(context.channel) {
            evicted.close(promise: nil)
            onEvent(.evicted)
        }
        arm(.request, context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        table.touched(context.channel)
        switch unwrapInboundIn(data) {
        case .head: arm(.request, context)
        case .body: break
        case .end: disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection] == "close" { closeAfterAnswer = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            table.touched(context.channel)
            guard closeAfterAnswer else {
                arm(.nextRequest, context)
                context.write(data, promise: promise)
                return
            }
            disarm()
            let written = promise ?? context.eventLoop.makePromise()
            context.writeAndFlush(data, promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        table.closed(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    private func arm(_ waiting: Waiting, _ context: ChannelHandlerContext) {
        // A head that arrives while the request clock runs keeps it running: the whole request counts.
        if waiting == .request, armed == .request { return }
        disarm()
        armed = waiting
        let (delay, event): (TimeAmount, MetricsServerEvent) =
            waiting == .request ? (limits.requestTimeout, .requestTimedOut) : (limits.idleTimeout, .idleClosed)
        let onEvent = self.onEvent
        let table = self.table
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            if table.closed(context.channel) { onEvent(event) }
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
        armed = nil
    }
}
