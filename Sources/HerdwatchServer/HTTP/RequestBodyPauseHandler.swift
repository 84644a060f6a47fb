import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request stops arriving: once a request's head is in, each further part of it must
/// come within `pause`. Hummingbird's idle timeout covers a connection that never completes a head; this covers
/// a sender that starts a body and then holds the connection open.
final class RequestBodyPauseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let pause: TimeAmount
    private var timer: Scheduled<Void>?

    init(pause: TimeAmount) {
        self.pause = pause
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head, .body:
            timer?.cancel()
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: pause) { bound.value.close(promise: nil) }
        case .end:
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }
}
