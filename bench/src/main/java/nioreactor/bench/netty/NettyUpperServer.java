package nioreactor.bench.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.List;
import nioreactor.protocol.Upper;

/**
 * The Netty peer: the same raw and framed upper-echo on ONE event loop thread (NIO or native epoll), written the way
 * a Netty user would write it fast: the inbound buffer is upper-cased in place and written back as is (no copy), and
 * the channel is flushed once per read burst ({@code channelReadComplete}), not per message. Framed replies are
 * retained slices of the cumulation buffer, upper-cased in place.
 */
public final class NettyUpperServer implements AutoCloseable {

    public enum Transport { NIO, EPOLL }

    private final EventLoopGroup loop;
    private final Channel raw;
    private final Channel framed;

    private NettyUpperServer(EventLoopGroup loop, Channel raw, Channel framed) {
        this.loop = loop;
        this.raw = raw;
        this.framed = framed;
    }

    /** Binds both services (port 0: ephemeral) on one event loop, which also accepts. */
    public static NettyUpperServer start(Transport transport, String host) throws InterruptedException {
        return start(transport, host, null);
    }

    /**
     * As {@link #start(Transport, String)}, both services over TLS when {@code tls} is not null: an {@code SslHandler}
     * first in every pipeline, as a Netty user adds it.
     */
    public static NettyUpperServer start(Transport transport, String host, SslContext tls) throws InterruptedException {
        if (transport == Transport.EPOLL && !Epoll.isAvailable()) {
            throw new IllegalStateException("native epoll is not available", Epoll.unavailabilityCause());
        }
        IoHandlerFactory io = transport == Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType =
                transport == Transport.EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, io);
        try {
            Channel raw = bind(loop, channelType, host, new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast(RawUpperEcho.INSTANCE);
                }
            });
            Channel framed = bind(loop, channelType, host, new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast(new FramedUpperEcho());
                }
            });
            return new NettyUpperServer(loop, raw, framed);
        } catch (InterruptedException | RuntimeException e) {
            loop.shutdownGracefully();
            throw e;
        }
    }

    private static Channel bind(EventLoopGroup loop, Class<? extends ServerChannel> type, String host,
                                ChannelHandler init) throws InterruptedException {
        return new ServerBootstrap()
                .group(loop, loop)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init)
                .bind(host, 0).sync().channel();
    }

    public InetSocketAddress rawAddress() {
        return (InetSocketAddress) raw.localAddress();
    }

    public InetSocketAddress framedAddress() {
        return (InetSocketAddress) framed.localAddress();
    }

    @Override
    public void close() {
        raw.close().syncUninterruptibly();
        framed.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    static void upperInPlace(ByteBuf buf, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            buf.setLong(i, Upper.upper8(buf.getLong(i)));
        }
        for (; i < to; i++) {
            buf.setByte(i, Upper.upper(buf.getByte(i)));
        }
    }

    @ChannelHandler.Sharable
    static final class RawUpperEcho extends ChannelInboundHandlerAdapter {
        static final RawUpperEcho INSTANCE = new RawUpperEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            upperInPlace(buf, buf.readerIndex(), buf.writerIndex());
            ctx.write(buf, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static final class FramedUpperEcho extends ByteToMessageDecoder {
        private static final int MAX_FRAME = 1024 * 1024;

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (in.readableBytes() >= 4) {
                long length = in.getUnsignedInt(in.readerIndex());
                if (length > MAX_FRAME) {
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
                if (in.readableBytes() < 4 + length) {
                    return;
                }
                int start = in.readerIndex();
                upperInPlace(in, start + 4, start + 4 + (int) length);
                ctx.write(in.readRetainedSlice(4 + (int) length), ctx.voidPromise());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            ctx.flush();
            super.channelReadComplete(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
