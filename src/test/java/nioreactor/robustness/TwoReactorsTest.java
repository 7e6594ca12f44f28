package nioreactor.robustness;

import nioreactor.server.AcceptMode;
import nioreactor.server.ServerConfig;
import org.junit.jupiter.api.Nested;

/**
 * The slow-reader, connection-limit and graceful-shutdown tests again, on a server with {@code --reactors 2}, in each
 * accept mode: the high water mark still bounds every connection, one {@code --max-connections} still holds for the
 * service across both reactors, and shutdown still drains every reactor into one summary.
 */
class TwoReactorsTest {

    private static ServerConfig.Builder two(AcceptMode mode) {
        return ServerConfig.builder().reactors(2).acceptMode(mode);
    }

    @Nested
    class SlowReaderHandOff extends SlowReaderTest {
        @Override
        ServerConfig.Builder config() {
            return two(AcceptMode.HANDOFF);
        }
    }

    @Nested
    class SlowReaderReusePort extends SlowReaderTest {
        @Override
        ServerConfig.Builder config() {
            return two(AcceptMode.REUSEPORT);
        }
    }

    @Nested
    class MaxConnectionsHandOff extends MaxConnectionsTest {
        @Override
        ServerConfig.Builder config() {
            return two(AcceptMode.HANDOFF);
        }
    }

    @Nested
    class MaxConnectionsReusePort extends MaxConnectionsTest {
        @Override
        ServerConfig.Builder config() {
            return two(AcceptMode.REUSEPORT);
        }
    }

    @Nested
    class GracefulShutdownHandOff extends GracefulShutdownTest {
        @Override
        ServerConfig.Builder config() {
            return two(AcceptMode.HANDOFF);
        }
    }

    @Nested
    class GracefulShutdownReusePort extends GracefulShutdownTest {
        @Override
        ServerConfig.Builder config() {
            return two(AcceptMode.REUSEPORT);
        }
    }
}
