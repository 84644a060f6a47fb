import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request stops arriving: once a request's head is in, each further part of it must
/// come within `pause`. Hummingbird's idle timeout covers a connection that never completes a head; this covers
/// a sender that starts a body and then holds the connection open.
///
/// Reading a part only notes the time; one timer per connection checks it when due and follows the last read,
/// so a busy keep-alive connection costs a clock read per part, not a timer.
final class RequestBodyPauseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let pause: TimeAmount
    private var receiving = false
    private var lastRead = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?

    init(pause: TimeAmount) {
        self.pause = pause
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head, .body:
            receiving = true
            lastRead = .now()
            if timer == nil { schedule(context, at: lastRead + pause) }
        case .end:
            receiving = false
        }
        context.fireChannelRead(data)
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            guard handler.receiving else { return }
            let due = handler.lastRead + handler.pause
            if due <= .now() {
                context.close(promise: nil)
            } else {
                handler.schedule(context, at: due)
            }
        }
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
