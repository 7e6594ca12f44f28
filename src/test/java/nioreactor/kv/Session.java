package nioreactor.kv;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;

/**
 * One key-value session with no socket: bytes go in as the reactor would hand them over (at most a read buffer at a
 * time), replies are recorded. Each session has its own reactor, whose thread runs every call, as in the server;
 * its clock is {@link #clock}, which only the test moves. Close it to stop the reactor.
 */
final class Session implements Peer, AutoCloseable {
    private static final int READ_SIZE = 4096;
    private final Reactor reactor = Reactor.builder().name("kv-test").readBufferSize(READ_SIZE).build();

    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final KvService service;
    final KvConnection connection;
    private final ByteArrayOutputStream replies = new ByteArrayOutputStream();
    private final Deque<Runnable> later = new ArrayDeque<>();
    CloseReason closedFor;
    boolean writable = true;

    Session() {
        this(KvSettings.DEFAULTS);
    }

    Session(KvSettings settings) {
        reactor.start();
        service = KvService.start(reactor, settings, Limits.DEFAULTS, clock::get);
        connection = (KvConnection) service.handlers().get();
        onReactor(() -> connection.opened(this));
    }

    /** Runs {@code task} on the reactor thread and waits for it; its exception, if any, is rethrown here. */
    void onReactor(Runnable task) {
        try {
            reactor.submit(() -> {
                task.run();
                return null;
            }).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        reactor.stop();
    }

    /** Feeds {@code bytes} as one read, at most {@link #readSize()} at a time, as the reactor would. */
    Session feed(byte[] bytes) {
        for (int at = 0; at < bytes.length; at += readSize()) {
            ByteBuffer read = ByteBuffer.wrap(bytes, at, Math.min(readSize(), bytes.length - at));
            onReactor(() -> connection.onData(read));
            if (read.hasRemaining()) {
                throw new AssertionError("the session left " + read.remaining() + " bytes unread");
            }
        }
        return this;
    }

    Session feed(String ascii) {
        return feed(Reply.ascii(ascii));
    }

    static int readSize() {
        return READ_SIZE;
    }

    /** The replies so far, as ISO-8859-1 text (every byte one char); clears them. */
    String take() {
        String s = replies.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        replies.reset();
        return s;
    }

    void runLater() {
        onReactor(() -> {
            while (!later.isEmpty()) {
                later.poll().run();
            }
        });
    }

    @Override
    public void send(ByteBuffer bytes) {
        if (closedFor != null) {
            throw new AssertionError("sent after closeAfterFlush");
        }
        while (bytes.hasRemaining()) {
            replies.write(bytes.get());
        }
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void closeAfterFlush(CloseReason reason) {
        closedFor = reason;
    }

    @Override
    public void later(Runnable task) {
        later.add(task);
    }

    @Override
    public String describe() {
        return "#test";
    }

    /** A request as redis-cli sends it: an array of bulk strings. */
    static byte[] command(byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Reply.ascii("*" + args.length + "\r\n"));
        for (byte[] a : args) {
            out.writeBytes(Reply.ascii("$" + a.length + "\r\n"));
            out.writeBytes(a);
            out.writeBytes(Reply.ascii("\r\n"));
        }
        return out.toByteArray();
    }

    static byte[] command(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return command(bytes);
    }
}
