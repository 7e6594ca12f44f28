package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import nioreactor.reactor.ConnectionInfo;
import nioreactor.reactor.ConnectionState;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.ReactorStats;
import org.junit.jupiter.api.Test;

class DashboardJsonTest {

    private static ConnectionInfo row(long id, long pending) throws Exception {
        return new ConnectionInfo(id, "upper-echo", "reactor-0",
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5000 + (int) id), "tcp 127.0.0.1:" + (5000 + id),
                ConnectionState.PAUSED,
                false, true, pending, 1_048_576, 262_144, 2, 3, 4_000_000, 1_500_000);
    }

    @Test
    void jsonStringsAreEscaped() {
        assertThat(Json.string(new StringBuilder(), "a\"b\\c\nd\te\u0001</script>\u2028").toString())
                .isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\\u003c/script\\u003e\\u2028\"");
        assertThat(Json.string(new StringBuilder(), null).toString()).isEqualTo("null");
        assertThat(Json.string(new StringBuilder(), "héllo 日本").toString()).isEqualTo("\"héllo 日本\"");
    }

    @Test
    void aConnectionRowHasEveryColumnOfThePage() throws Exception {
        StringBuilder sb = new StringBuilder();
        DashboardJson.connection(sb, row(7, 2_000_000));
        assertThat(sb.toString()).isEqualTo("{\"id\":7,\"service\":\"upper-echo\",\"reactor\":\"reactor-0\","
                + "\"family\":\"tcp\",\"remote\":\"127.0.0.1:5007\",\"state\":\"PAUSED\",\"r\":false,\"w\":true,\"pending\":2000000,"
                + "\"high\":1048576,\"low\":262144,\"in\":2,\"out\":3,\"ageMs\":4,\"quietMs\":1}");
    }

    @Test
    void anAfUnixPeerIsShownByItsFamilyAndTheSocketFile() {
        // Accepted AF_UNIX peers have an empty address and no port: the row shows the socket file instead.
        ConnectionInfo unix = new ConnectionInfo(8, "upper-echo", "reactor-0", java.net.UnixDomainSocketAddress.of(""),
                "unix /tmp/nioreactor.sock", ConnectionState.OPEN, true, false, 0, 1_048_576, 262_144, 5, 5, 1_000_000, 0);
        StringBuilder sb = new StringBuilder();
        DashboardJson.connection(sb, unix);
        assertThat(sb.toString()).contains("\"family\":\"unix\",\"remote\":\"/tmp/nioreactor.sock\",");
    }

    @Test
    void ipv6AddressesAreBracketed() throws Exception {
        assertThat(DashboardJson.address(new InetSocketAddress(InetAddress.getByName("::1"), 80)))
                .isEqualTo("[0:0:0:0:0:0:0:1]:80");
    }

    @Test
    void anEventCarriesItsKindItsConnectionAndItsLine() {
        StringBuilder sb = new StringBuilder();
        DashboardJson.event(sb, 1234, "write", 3, "write #3 5 of 5 bytes, 0 pending");
        assertThat(sb.toString()).isEqualTo(
                "{\"t\":1234,\"kind\":\"write\",\"id\":3,\"text\":\"write #3 5 of 5 bytes, 0 pending\"}");
    }

    @Test
    void theHelloTellsTheTabWhoItIs() {
        assertThat(DashboardJson.hello(new DashboardJson.Hello(9, "r0", 8, 262_144, 2000, 250)))
                .isEqualTo("{\"you\":9,\"reactor\":\"r0\",\"maxClients\":8,\"maxPendingBytes\":262144,"
                        + "\"maxEventsPerSecond\":2000,\"snapshotMillis\":250}");
    }

    @Test
    void aSnapshotHasTheLoopTheServicesAndTheConnections() throws Exception {
        Reactor reactor = Reactor.builder().name("json-test").build(); // not started: stats() reads at once
        reactor.counter("frames_total", "Frames answered").add(5);
        reactor.gauge("chat_members", "Members", () -> 3);
        ReactorStats stats = reactor.stats();
        String json = DashboardJson.snapshot(42, "json-test", stats, List.of(row(2, 0), row(1, 10)),
                new DashboardJson.Feed(2, 7, 11), 1000, 2000);
        assertThat(json).startsWith("{\"t\":42,\"reactor\":\"json-test\",\"loop\":{\"loops\":0,")
                .contains("\"loopTime\":{\"boundsMicros\":[10,50,100,500,1000,5000,10000,50000,100000],"
                        + "\"counts\":[0,0,0,0,0,0,0,0,0,0],\"sumNanos\":0}")
                .contains("\"keysReady\":{\"bounds\":[0,1,2,3,4,8,16,64],\"counts\":[0,0,0,0,0,0,0,0,0],\"sum\":0}")
                .contains("\"services\":[{\"name\":\"frames_total\",\"help\":\"Frames answered\",\"gauge\":false,"
                        + "\"value\":5},{\"name\":\"chat_members\",\"help\":\"Members\",\"gauge\":true,\"value\":3}]")
                .contains("\"heapUsed\":1000,\"heapMax\":2000}")
                .contains("\"connectionsTotal\":2,")
                .endsWith("\"feed\":{\"subscribers\":2,\"eventsSkipped\":7,\"eventsDropped\":11}}");
        // rows in id order
        assertThat(json.indexOf("\"id\":1,")).isLessThan(json.indexOf("\"id\":2,"));
    }

    @Test
    void aHugeServerShowsItsBusiestConnectionsOnly() throws Exception {
        List<ConnectionInfo> many = new ArrayList<>();
        for (int i = 1; i <= DashboardJson.MAX_ROWS + 50; i++) {
            many.add(row(i, i == 250 ? 999 : 0));
        }
        Reactor reactor = Reactor.builder().name("json-test").build();
        String json = DashboardJson.snapshot(0, "r", reactor.stats(), many, new DashboardJson.Feed(1, 0, 0), 0, 0);
        assertThat(json).contains("\"connectionsTotal\":250,").contains("\"id\":250,");
        assertThat(json.split("\"service\":").length - 1).isEqualTo(DashboardJson.MAX_ROWS);
    }
}
