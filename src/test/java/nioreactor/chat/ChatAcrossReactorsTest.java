package nioreactor.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Reactor;
import nioreactor.server.AcceptMode;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One chat room over two reactors ({@code serve --reactors 2}): members on either reactor reach each other, each
 * sender's lines arrive in order, ids and nicks are unique across the room, and the slow-consumer bound holds for a
 * receiver on another reactor than the sender.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatAcrossReactorsTest {
    private static final int MEMBERS = 12;
    private static final int LINES = 300;

    private static Server start(AcceptMode mode, long maxPending) throws Exception {
        return Server.start(ServerConfig.builder().tcpPort(-1).framedPort(-1).udpPort(-1).chatPort(0)
                .chatMaxPending(maxPending).reactors(2).acceptMode(mode).build());
    }

    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    void membersOnBothReactorsHearEachSenderInOrderAndWhoSeesEveryone(AcceptMode mode) throws Exception {
        try (Server server = start(mode, ChatRoom.DEFAULT_MAX_PENDING)) {
            List<ChatPeer> peers = new ArrayList<>();
            try {
                for (int i = 0; i < MEMBERS; i++) {
                    ChatPeer p = ChatPeer.join(server.chatAddress());
                    assertThat(p.greeting).endsWith("; " + i + (i == 1 ? " other" : " others") + " here");
                    peers.add(p);
                }
                for (Reactor r : server.reactors()) {
                    assertThat(r.stats().service("chat_members")).as("members on " + r.name()).isPositive();
                }
                ChatPeer last = peers.get(MEMBERS - 1);
                for (ChatPeer p : peers.subList(0, MEMBERS - 1)) {
                    p.readUntil(l -> l.equals("* #" + last.id + " joined"));
                }
                Set<Long> ids = new HashSet<>();
                peers.forEach(p -> ids.add(p.id));
                assertThat(ids).as("ids unique across the reactors").hasSize(MEMBERS);

                // Two senders at once; every other member gets each one's lines in order, all of them.
                ChatPeer a = peers.get(0);
                ChatPeer b = peers.get(1);
                Thread ta = send(a, "a");
                Thread tb = send(b, "b");
                for (ChatPeer p : peers.subList(2, MEMBERS)) {
                    int nextA = 0;
                    int nextB = 0;
                    while (nextA < LINES || nextB < LINES) {
                        String line = p.readLine();
                        if (line.startsWith("#" + a.id + ": ")) {
                            assertThat(line).isEqualTo("#" + a.id + ": a " + nextA++);
                        } else if (line.startsWith("#" + b.id + ": ")) {
                            assertThat(line).isEqualTo("#" + b.id + ": b " + nextB++);
                        }
                    }
                }
                ta.join(10_000);
                tb.join(10_000);

                ChatPeer asking = peers.get(MEMBERS - 1);
                asking.send("/who\n");
                String who = asking.readUntil(l -> l.startsWith("* " + MEMBERS + " here: "));
                Matcher m = Pattern.compile("#(\\d+) ").matcher(who);
                List<Long> listed = new ArrayList<>();
                while (m.find()) {
                    listed.add(Long.parseLong(m.group(1)));
                }
                assertThat(listed).as(who).hasSize(MEMBERS).isSorted().containsExactlyInAnyOrderElementsOf(ids);
                assertThat(who).contains("#" + asking.id + " " + asking.at() + " (you)");

                // A nick taken on one reactor is taken on the other too.
                a.send("/nick alice\n");
                assertThat(a.readUntil(l -> l.startsWith("* you are now"))).isEqualTo("* you are now alice");
                for (ChatPeer p : peers.subList(1, MEMBERS)) {
                    p.send("/nick Alice\n");
                    assertThat(p.readUntil(l -> l.startsWith("* ERR") || l.startsWith("* you are now")))
                            .isEqualTo("* ERR nick Alice is taken");
                }
            } finally {
                for (ChatPeer p : peers) {
                    p.close();
                }
            }
            Eventually.until(() -> server.stats().service("chat_members") == 0, () -> "everyone left");
            assertThat(server.stats().service("chat_messages_total")).isEqualTo(2L * LINES);
        }
    }

    @Test
    void aSilentMemberOnTheOtherReactorIsCutAtTheBoundAndTheRoomGoesOn() throws Exception {
        long bound = ChatRoom.DEFAULT_MAX_PENDING;
        try (Server server = start(AcceptMode.HANDOFF, bound)) {
            // Least connections, ties in turn: the sender on reactor-0, the silent member on reactor-1, the reader
            // on reactor-0.
            ChatPeer sender = ChatPeer.join(server.chatAddress());
            Socket silentSocket = new Socket();
            silentSocket.setReceiveBufferSize(4096);
            silentSocket.connect(server.chatAddress(), 10_000);
            ChatPeer reader = ChatPeer.join(server.chatAddress());
            try (sender; silentSocket; reader) {
                assertThat(server.reactors().get(1).stats().service("chat_members")).isEqualTo(1);
                // 12 MB: well over the bound plus the kernel's buffers between the server and the silent member can absorb, so its
                // output really queues in the server. Sent from a thread while the reader reads.
                String filler = "x".repeat(200);
                int lines = 60_000;
                Thread writer = new Thread(() -> {
                    try {
                        // Paced (about 20 MB/s) so the reader, which does read, keeps up and is not cut itself.
                        for (int i = 0; i < lines; ) {
                            StringBuilder burst = new StringBuilder();
                            for (int k = 0; k < 500 && i < lines; k++, i++) {
                                burst.append(i).append(' ').append(filler).append('\n');
                            }
                            sender.send(burst.toString());
                            Thread.sleep(5);
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "sender");
                writer.start();
                int next = 0;
                boolean sawCut = false;
                while (next < lines || !sawCut) {
                    String line = reader.readLine();
                    if (line.startsWith("#" + sender.id + ": ")) {
                        assertThat(line).isEqualTo("#" + sender.id + ": " + next++ + " " + filler);
                    } else if (line.endsWith(" left (slow-consumer)")) {
                        sawCut = true;
                    }
                }
                writer.join(10_000);
            }
            Reactor second = server.reactors().get(1);
            assertThat(second.stats().service("chat_slow_consumers_total")).isEqualTo(1);
            assertThat(second.stats().closed(CloseReason.SLOW_CONSUMER)).isEqualTo(1);
            assertThat(second.stats().peakConnectionPending()).as("the bound, on the receiver's reactor")
                    .isLessThanOrEqualTo(bound);
            assertThat(server.reactors().get(0).stats().service("chat_slow_consumers_total")).isZero();
        }
    }

    private static Thread send(ChatPeer p, String tag) {
        Thread t = new Thread(() -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < LINES; i++) {
                sb.append(tag).append(' ').append(i).append('\n');
            }
            try {
                p.send(sb.toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "sender-" + tag);
        t.start();
        return t;
    }
}
