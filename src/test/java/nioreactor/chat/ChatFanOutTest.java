package nioreactor.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.ReactorStats;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.LogCapture;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The point of the chat room: fan-out with backpressure, over real loopback sockets. The figures are printed (to the
 * test's output file) so they can be quoted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatFanOutTest {
    private static final int MEMBERS = 200;
    private static final int LINES = 100;
    private static final long HEAP_GROWTH_BOUND = 16L * 1024 * 1024;

    private Server server;

    private Server start() throws Exception {
        server = Server.start(ServerConfig.builder()
                .tcpPort(ServerConfig.DISABLED).framedPort(ServerConfig.DISABLED).udpPort(ServerConfig.DISABLED)
                .chatPort(0)
                .build());
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyMemberGetsEveryOtherMembersLinesInOrderOnce() throws Exception {
        Server s = start();
        FanOutRun.Result r = FanOutRun.run(s.reactor(), s.chatAddress(), MEMBERS, LINES, 40, false);
        System.out.println("chat fan-out: " + r);

        ReactorStats stats = s.stats();
        assertThat(stats.service("chat_messages_total")).isEqualTo((long) MEMBERS * LINES);
        assertThat(stats.service("chat_slow_consumers_total")).isZero();
        assertThat(stats.closed(CloseReason.SLOW_CONSUMER)).isZero();
        assertThat(r.heapGrowth()).as(r.toString()).isLessThan(HEAP_GROWTH_BOUND);
        Eventually.until(() -> s.stats().service("chat_members") == 0, () -> "every member left the room");
    }

    @Test
    void aMemberThatNeverReadsIsCutAsSlowConsumerAndTheRoomGoesOn() throws Exception {
        Server s = start();
        // 200 x 100 lines of 300 bytes: about 6 MiB owed to the silent member, several times the 1 MiB bound plus
        // what its small receive buffer and the server's send buffer absorb.
        FanOutRun.Result r;
        try (LogCapture warns = new LogCapture()) {
            r = FanOutRun.run(s.reactor(), s.chatAddress(), MEMBERS, LINES, 300, true);
            System.out.println("chat fan-out with a silent member: " + r);
            List<String> cuts = warns.matching("slow consumer");
            assertThat(cuts).hasSize(1);
            System.out.println("chat fan-out with a silent member: the WARN: " + cuts.get(0));
            Matcher m = Pattern.compile("with (\\d+) bytes pending").matcher(cuts.get(0));
            assertThat(m.find()).as(cuts.get(0)).isTrue();
            long pendingAtCut = Long.parseLong(m.group(1));
            // Cut just under the bound: pending plus the next delivery (one read's lines) would have passed it.
            assertThat(pendingAtCut).isLessThanOrEqualTo(ChatRoom.DEFAULT_MAX_PENDING)
                    .isGreaterThan(ChatRoom.DEFAULT_MAX_PENDING - 128 * 1024);
        }

        assertThat(r.everyoneSawTheCut()).isTrue();
        ReactorStats stats = s.stats();
        assertThat(stats.closed(CloseReason.SLOW_CONSUMER)).isEqualTo(1);
        assertThat(stats.service("chat_slow_consumers_total")).isEqualTo(1);
        assertThat(stats.service("chat_messages_total")).isEqualTo((long) MEMBERS * LINES);
        // The bound: no connection ever had more than --chat-max-pending queued.
        System.out.println("chat fan-out with a silent member: peak pending of any connection "
                + stats.peakConnectionPending() + " bytes (bound " + ChatRoom.DEFAULT_MAX_PENDING + ")");
        assertThat(stats.peakConnectionPending()).isLessThanOrEqualTo(ChatRoom.DEFAULT_MAX_PENDING);
        assertThat(r.silentPendingMax()).isLessThanOrEqualTo(ChatRoom.DEFAULT_MAX_PENDING);
        assertThat(r.heapGrowth()).as(r.toString()).isLessThan(HEAP_GROWTH_BOUND);
        Eventually.until(() -> s.stats().service("chat_members") == 0, () -> "every member left the room");
    }
}
