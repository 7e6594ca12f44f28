package nioreactor.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.function.UnaryOperator;
import nioreactor.reactor.Limits;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@link Server} on ephemeral loopback ports for one test class: {@code @RegisterExtension static final
 * RunningServer server = new RunningServer();}. Its clock is fixed at {@link #NOW} in UTC, so time answers are exact.
 */
public final class RunningServer implements BeforeAllCallback, AfterAllCallback {
    /** 2026-03-14 15:09:26 UTC, a Saturday. */
    public static final Instant NOW = Instant.parse("2026-03-14T15:09:26Z");

    private final UnaryOperator<ServerConfig.Builder> tuning;
    private Server server;

    public RunningServer() {
        this(UnaryOperator.identity());
    }

    /** A server with some settings changed, e.g. {@code b -> b.maxFrame(16)}. */
    /**
     * A server whose framed port refuses frames over {@code maxFrame}, and lingers only briefly after such a refusal,
     * so a test sees the close at once.
     */
    public static RunningServer withMaxFrame(int maxFrame) {
        return new RunningServer(b -> b.maxFrame(maxFrame).limits(Limits.DEFAULTS.withLingerTimeout(Duration.ofMillis(200))));
    }

    public RunningServer(UnaryOperator<ServerConfig.Builder> tuning) {
        this.tuning = tuning;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        ServerConfig.Builder builder = ServerConfig.builder().ephemeralPorts()
                .zone(ZoneOffset.UTC)
                .clock(InstantSource.fixed(NOW));
        server = Server.start(tuning.apply(builder).build());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public InetSocketAddress tcp() {
        return server.tcpAddress();
    }

    public InetSocketAddress framed() {
        return server.framedAddress();
    }

    public InetSocketAddress udp() {
        return server.udpAddress();
    }
}
