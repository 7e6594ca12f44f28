package nioreactor.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.CloseReason;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat protocol over real loopback sockets: joining, lines, commands, long lines, leaving. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatRoomTest {
    private Server server;
    private InetSocketAddress room;
    private final List<ChatPeer> peers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = Server.start(ServerConfig.builder()
                .tcpPort(ServerConfig.DISABLED).framedPort(ServerConfig.DISABLED).udpPort(ServerConfig.DISABLED)
                .chatPort(0)
                .build());
        room = server.chatAddress();
    }

    @AfterEach
    void stop() throws Exception {
        for (ChatPeer p : peers) {
            p.close();
        }
        server.close();
    }

    private ChatPeer join() throws Exception {
        ChatPeer p = ChatPeer.join(room);
        peers.add(p);
        return p;
    }

    @Test
    void membersAreGreetedAnnouncedAndGetEachOthersLinesButNotTheirOwn() throws Exception {
        ChatPeer a = join();
        assertThat(a.greeting).isEqualTo("* you are #" + a.id + "; 0 others here");
        ChatPeer b = join();
        assertThat(b.greeting).isEqualTo("* you are #" + b.id + "; 1 other here");
        assertThat(a.readLine()).isEqualTo("* #" + b.id + " joined");
        ChatPeer c = join();
        assertThat(c.greeting).isEqualTo("* you are #" + c.id + "; 2 others here");
        assertThat(a.readLine()).isEqualTo("* #" + c.id + " joined");
        assertThat(b.readLine()).isEqualTo("* #" + c.id + " joined");

        // Bytes pass through as they are: UTF-8, a \r, anything but \n.
        a.send("hello\nh\u00c3\u00a9llo\r\n\n");
        for (ChatPeer other : List.of(b, c)) {
            assertThat(other.readLine()).isEqualTo("#" + a.id + ": hello");
            assertThat(other.readLine()).isEqualTo("#" + a.id + ": h\u00c3\u00a9llo\r");
            assertThat(other.readLine()).isEqualTo("#" + a.id + ": ");
        }
        b.send("from b\n");
        assertThat(c.readLine()).isEqualTo("#" + b.id + ": from b");
        // a's next line is b's, not an echo of its own.
        assertThat(a.readLine()).isEqualTo("#" + b.id + ": from b");
    }

    @Test
    void aLineSplitAcrossWritesArrivesWhole() throws Exception {
        ChatPeer a = join();
        ChatPeer b = join();
        a.readLine(); // b joined
        a.send("par");
        Thread.sleep(50); // so the server reads the pieces apart
        a.send("tial li");
        Thread.sleep(50);
        a.send("ne\nnext\n");
        assertThat(b.readLine()).isEqualTo("#" + a.id + ": partial line");
        assertThat(b.readLine()).isEqualTo("#" + a.id + ": next");
    }

    @Test
    void nickRenamesAndLaterLinesCarryTheName() throws Exception {
        ChatPeer a = join();
        ChatPeer b = join();
        a.readLine(); // b joined
        a.send("before\n/nick alice\nafter\n");
        assertThat(a.readLine()).isEqualTo("* you are now alice");
        assertThat(b.readLine()).isEqualTo("#" + a.id + ": before");
        assertThat(b.readLine()).isEqualTo("* #" + a.id + " is now alice");
        assertThat(b.readLine()).isEqualTo("alice: after");
        a.send("/nick Alice_2-x\n");
        assertThat(a.readLine()).isEqualTo("* you are now Alice_2-x");
        assertThat(b.readLine()).isEqualTo("* alice is now Alice_2-x");
        b.send("/who\n");
        assertThat(b.readLine()).isEqualTo("* 2 here: #" + a.id + " Alice_2-x " + a.at() + ", #" + b.id + " " + b.at() + " (you)");
        a.send("/quit\n");
        assertThat(a.readLine()).isEqualTo("* bye");
        assertThat(a.closedByServer()).isTrue();
        assertThat(b.readLine()).isEqualTo("* Alice_2-x left (quit)");
    }

    @Test
    void badNicksAndUnknownCommandsGetAnErrAndNothingElseHappens() throws Exception {
        ChatPeer a = join();
        ChatPeer b = join();
        a.readLine(); // b joined
        b.send("/nick bob\n");
        assertThat(b.readLine()).isEqualTo("* you are now bob");
        assertThat(a.readLine()).isEqualTo("* #" + b.id + " is now bob");

        String badNick = "* ERR bad nick (1-32 of A-Z a-z 0-9 _ -)";
        a.send("/nick\n");
        assertThat(a.readLine()).isEqualTo(badNick);
        a.send("/nick " + "x".repeat(33) + "\n");
        assertThat(a.readLine()).isEqualTo(badNick);
        a.send("/nick al ice\n");
        assertThat(a.readLine()).isEqualTo(badNick);
        a.send("/nick al!ce\n");
        assertThat(a.readLine()).isEqualTo(badNick);
        a.send("/nick #7\n");
        assertThat(a.readLine()).isEqualTo(badNick);
        a.send("/nick BOB\n");
        assertThat(a.readLine()).isEqualTo("* ERR nick BOB is taken");
        a.send("/bogus arg\n");
        assertThat(a.readLine()).isEqualTo("* ERR unknown command /bogus (try /nick NAME, /who, /quit)");
        a.send("/\n");
        assertThat(a.readLine()).isEqualTo("* ERR unknown command / (try /nick NAME, /who, /quit)");
        a.send("//not a command\n");
        a.send("/nick " + "y".repeat(32) + "\n");
        assertThat(a.readLine()).isEqualTo("* you are now " + "y".repeat(32));

        // b saw none of the refused commands: its next lines are the escaped one and the rename.
        assertThat(b.readLine()).isEqualTo("#" + a.id + ": /not a command");
        assertThat(b.readLine()).isEqualTo("* #" + a.id + " is now " + "y".repeat(32));
        assertThat(server.stats().service("chat_errors_total")).isEqualTo(8);
    }

    @Test
    void aLongLineGetsAnErrItsRestIsDiscardedAndTheMemberStays() throws Exception {
        ChatPeer a = join();
        ChatPeer b = join();
        a.readLine(); // b joined
        a.send("x".repeat(4096) + "\n"); // exactly the limit: fine
        assertThat(b.readLine()).isEqualTo("#" + a.id + ": " + "x".repeat(4096));

        a.send("y".repeat(3000));
        Thread.sleep(50);
        a.send("y".repeat(3000)); // passes the limit here: the ERR comes before the line's end
        assertThat(a.readLine()).isEqualTo("* ERR line too long (max 4096 bytes)");
        a.send("y".repeat(100_000) + "\nstill here\n");
        assertThat(b.readLine()).isEqualTo("#" + a.id + ": still here");

        a.send("z".repeat(5000) + "\nand again\n");
        assertThat(a.readLine()).isEqualTo("* ERR line too long (max 4096 bytes)");
        assertThat(b.readLine()).isEqualTo("#" + a.id + ": and again");
        b.send("/who\n");
        assertThat(b.readLine()).isEqualTo("* 2 here: #" + a.id + " " + a.at() + ", #" + b.id + " " + b.at() + " (you)");
    }

    @Test
    void leavingShowsWhyResetMidLineIncluded() throws Exception {
        ChatPeer a = join();
        ChatPeer b = join();
        a.readLine();
        ChatPeer c = join();
        a.readLine();
        b.readLine();

        b.send("half a li"); // never finished: the others never see it
        Thread.sleep(50);
        b.reset();
        assertThat(a.readLine()).isEqualTo("* #" + b.id + " left (reset)");
        assertThat(c.readLine()).isEqualTo("* #" + b.id + " left (reset)");

        c.send("unfinished");
        Thread.sleep(50);
        c.close();
        assertThat(a.readLine()).isEqualTo("* #" + c.id + " left (peer-eof)");

        a.send("/who\n");
        assertThat(a.readLine()).isEqualTo("* 1 here: #" + a.id + " " + a.at() + " (you)");
        assertThat(server.stats().service("chat_messages_total")).isZero();
    }

    @Test
    void aThousandJoinsAndLeavesLeaveTheRoomWorkingAndWhoRight() throws Exception {
        ChatPeer stay1 = join();
        stay1.send("/nick stay1\n");
        assertThat(stay1.readLine()).isEqualTo("* you are now stay1");
        ChatPeer stay2 = join();
        assertThat(stay1.readLine()).isEqualTo("* #" + stay2.id + " joined");

        String[] how = {"quit", "peer-eof", "reset"};
        for (int i = 0; i < 1000; i++) {
            String way = how[i % 3];
            try (ChatPeer visitor = ChatPeer.join(room)) {
                assertThat(visitor.greeting).endsWith("; 2 others here");
                if (i % 10 == 0) {
                    visitor.send("/nick v" + i + "\nhi from " + i + "\n");
                    assertThat(visitor.readLine()).isEqualTo("* you are now v" + i);
                }
                switch (way) {
                    case "quit" -> {
                        visitor.send("/quit\n");
                        assertThat(visitor.readLine()).isEqualTo("* bye");
                    }
                    case "reset" -> visitor.reset();
                    default -> { } // closed by try-with-resources: a FIN
                }
            }
            String name = i % 10 == 0 ? "v" + i : null;
            for (ChatPeer stay : List.of(stay1, stay2)) {
                String joined = stay.readLine();
                assertThat(joined).matches("\\* #\\d+ joined");
                String id = joined.substring(2, joined.indexOf(' ', 2));
                if (name != null) {
                    assertThat(stay.readLine()).isEqualTo("* " + id + " is now " + name);
                    assertThat(stay.readLine()).isEqualTo(name + ": hi from " + i);
                }
                assertThat(stay.readLine()).isEqualTo("* " + (name != null ? name : id) + " left (" + way + ")");
            }
        }

        stay2.send("/who\n");
        assertThat(stay2.readLine()).isEqualTo("* 2 here: #" + stay1.id + " stay1 " + stay1.at() + ", #" + stay2.id + " " + stay2.at() + " (you)");
        stay2.send("still working\n");
        assertThat(stay1.readLine()).isEqualTo("#" + stay2.id + ": still working");
        Eventually.until(() -> server.stats().service("chat_members") == 2, () -> "two members left in the room");
        assertThat(server.stats().closed(CloseReason.SLOW_CONSUMER)).isZero();
    }
}
