package nioreactor.reactor;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static nioreactor.reactor.RecordingHandler.ANY;
import static nioreactor.reactor.RecordingHandler.WAIT_SECONDS;
import static nioreactor.reactor.RecordingHandler.pattern;
import static nioreactor.reactor.RecordingHandler.started;
import static nioreactor.reactor.RecordingHandler.stop;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection's thread rule, exercised: a handler may send to any other connection of its own reactor (a two-member
 * relay here), and reaches a connection of another reactor only through that reactor, with a copy of the bytes.
 */
@Timeout(60)
class CrossConnectionTest {

    /** Two members; what one sends goes to the other. Reactor-thread state, so no locks. */
    private static final class Relay {
        final List<Connection> members = new ArrayList<>();
        final CountDownLatch bothIn = new CountDownLatch(2);

        StreamHandler member() {
            return new StreamHandler() {
                @Override
                public void onOpen(Connection c) {
                    members.add(c);
                    bothIn.countDown();
                }

                @Override
                public void onData(Connection c, ByteBuffer data) {
                    for (Connection other : members) {
                        if (other != c) {
                            other.send(data.duplicate()); // the shared buffer, unchanged, for each other member
                        }
                    }
                }

                @Override
                public void onClose(Connection c, CloseReason reason) {
                    members.remove(c);
                }
            };
        }
    }

    @Test
    void aHandlerSendsToAnotherConnectionOfItsReactor() throws Exception {
        Reactor reactor = started("relay");
        try {
            Relay relay = new Relay();
            InetSocketAddress at = (InetSocketAddress) reactor.listen("relay", ANY, Limits.DEFAULTS, relay::member)
                    .get(WAIT_SECONDS, TimeUnit.SECONDS).address();
            byte[] big = pattern(3 << 20, 9); // several reads, and more than one send buffer
            try (Socket a = Loopback.connect(at); Socket b = Loopback.connect(at)) {
                assertThat(relay.bothIn.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                a.getOutputStream().write("from a".getBytes(US_ASCII));
                assertThat(b.getInputStream().readNBytes(6)).isEqualTo("from a".getBytes(US_ASCII));
                b.getOutputStream().write("from b".getBytes(US_ASCII));
                assertThat(a.getInputStream().readNBytes(6)).isEqualTo("from b".getBytes(US_ASCII));

                Thread writer = new Thread(() -> {
                    try {
                        a.getOutputStream().write(big);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                writer.start();
                assertThat(b.getInputStream().readNBytes(big.length)).isEqualTo(big);
                writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            }
            assertThat(reactor.stats().handlerErrors()).isZero();
        } finally {
            stop(reactor);
        }
    }

    @Test
    void aConnectionOnAnotherReactorIsReachedThroughItsReactorWithACopy() throws Exception {
        Reactor left = started("left");
        Reactor right = started("right");
        try {
            RecordingHandler target = new RecordingHandler();
            InetSocketAddress rightAt = (InetSocketAddress) right.listen("right", ANY, Limits.DEFAULTS, () -> target)
                    .get(WAIT_SECONDS, TimeUnit.SECONDS).address();
            List<String> wrongThread = new java.util.concurrent.CopyOnWriteArrayList<>();
            StreamHandler forwarder = (c, data) -> {
                Connection other = target.connection;
                byte[] copy = new byte[data.remaining()];
                data.get(copy); // the read buffer is reused once onData returns: copy before handing over
                other.reactor().execute(() -> {
                    if (!other.reactor().inReactorThread()) {
                        wrongThread.add(Thread.currentThread().getName());
                    }
                    other.send(ByteBuffer.wrap(copy));
                });
            };
            InetSocketAddress leftAt = (InetSocketAddress) left.listen("left", ANY, Limits.DEFAULTS, () -> forwarder)
                    .get(WAIT_SECONDS, TimeUnit.SECONDS).address();
            byte[] big = pattern(2 << 20, 4);
            try (Socket in = Loopback.connect(leftAt); Socket out = Loopback.connect(rightAt)) {
                target.awaitOpen();
                in.getOutputStream().write("across".getBytes(US_ASCII));
                InputStream fromRight = out.getInputStream();
                assertThat(fromRight.readNBytes(6)).isEqualTo("across".getBytes(US_ASCII));
                Thread writer = new Thread(() -> {
                    try {
                        in.getOutputStream().write(big);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                writer.start();
                assertThat(fromRight.readNBytes(big.length)).as("every byte, in order").isEqualTo(big);
                writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            }
            assertThat(wrongThread).isEmpty();
            assertThat(left.stats().handlerErrors()).isZero();
            assertThat(right.stats().handlerErrors()).isZero();
            assertThat(right.stats().bytesWritten()).isEqualTo(6 + big.length);
        } finally {
            stop(left);
            stop(right);
        }
    }

    @Test
    void sendingStraightToAConnectionOfAnotherReactorIsCaughtByTheThreadCheck() throws Exception {
        // Connection checks the thread on every send (with or without -ea): a handler on one reactor that calls
        // send on another reactor's connection fails, and only its own connection pays (HANDLER_ERROR).
        Reactor left = started("left-bad");
        Reactor right = started("right-bad");
        try {
            RecordingHandler target = new RecordingHandler();
            InetSocketAddress rightAt = (InetSocketAddress) right.listen("right", ANY, Limits.DEFAULTS, () -> target)
                    .get(WAIT_SECONDS, TimeUnit.SECONDS).address();
            RecordingHandler culprit = new RecordingHandler() {
                @Override
                public void onData(Connection c, ByteBuffer data) {
                    super.onData(c, data);
                    target.connection.send(data);
                }
            };
            InetSocketAddress leftAt = (InetSocketAddress) left.listen("left", ANY, Limits.DEFAULTS, () -> culprit)
                    .get(WAIT_SECONDS, TimeUnit.SECONDS).address();
            try (Socket in = Loopback.connect(leftAt); Socket out = Loopback.connect(rightAt)) {
                target.awaitOpen();
                in.getOutputStream().write('x');
                culprit.awaitClose(CloseReason.HANDLER_ERROR);
                Loopback.assertEof(in.getInputStream(), "the culprit's connection is closed");
                assertThat(target.closes.get()).isZero();
            }
            Eventually.until(() -> left.stats().handlerErrors() == 1, () -> "one handler error on left");
            assertThat(right.stats().bytesWritten()).isZero();
        } finally {
            stop(left);
            stop(right);
        }
    }
}
