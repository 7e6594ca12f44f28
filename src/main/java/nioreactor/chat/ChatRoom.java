package nioreactor.chat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Counter;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ListenOptions;
import nioreactor.reactor.Listener;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.StreamHandler;
import nioreactor.reactor.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat room over TCP, one per reactor: every line a member sends goes to every other member. It exists to show that
 * the library does fan-out with backpressure, using nothing but its public API; the README's "Chat room" section has
 * the protocol.
 *
 * <h2>Fan-out backpressure: cut the slow consumer</h2>
 * A member that stops reading must neither slow the room nor grow the server's memory without bound. So each member's
 * pending output is bounded by {@code maxPending}: a delivery that would take it past the bound disconnects that
 * member instead ({@link CloseReason#SLOW_CONSUMER}, counted as {@code chat_slow_consumers_total}, a WARN at most once
 * a second). The sender is never paused because of a receiver, and each receiver gets each sender's lines in the order
 * sent, or is cut. This is Redis's {@code client-output-buffer-limit} for pub/sub clients.
 *
 * <p>The alternative, pausing a sender while any receiver is over its mark (TCP-style flow control end to end), was
 * not chosen: the room would go at the speed of its slowest member, and one member that connects and never reads would
 * freeze everyone's messages, a denial of service that costs one socket. Lossless delivery to every member and a
 * bounded server cannot both hold with an unbounded reader; like Redis, the room keeps the bound and gives up the
 * reader.
 *
 * <p>A member that is all caught up (nothing pending) is never cut, whatever the size of one delivery, so a pending
 * output never exceeds {@code max(maxPending, one delivery)}.
 *
 * <p>Reactor-thread state, like the connections it holds: every method runs on the reactor's thread (the handlers'
 * callbacks), so there are no locks.
 *
 * <h2>One room over several reactors</h2>
 * {@link #createAcross} makes one room per reactor and links them: each holds the members whose connections live on
 * its reactor and fans out to them, and passes every line (a copy, made once) to the others through their reactor's
 * {@link Reactor#execute}, where it is fanned out to their members in turn. A sender's lines are produced on one
 * thread and queued to each other reactor in order, so every receiver still gets each sender's lines in the order
 * sent; the slow-consumer bound is applied by each member's own room, exactly as on one reactor. {@code /who} asks
 * every room for its members and answers when all have (asynchronously: no reactor waits for another). What the
 * rooms share is small and thread-safe: the member ids (one counter, so "#12" names one member across the room), the
 * member count for the greeting, and the nick registry (touched by {@code /nick} and leaving only, never per line).
 */
public final class ChatRoom {
    private static final Logger log = LoggerFactory.getLogger(ChatRoom.class);

    public static final int DEFAULT_MAX_LINE = 4096;
    public static final long DEFAULT_MAX_PENDING = 1024 * 1024;
    /** The longest name: a nick of 32 characters, or {@code #} and a 19-digit id. */
    static final int MAX_NAME = 32;
    private static final long WARN_INTERVAL_NANOS = 1_000_000_000L;

    private final Reactor reactor;
    private final int maxLine;
    private final long maxPending;
    /** In the order they joined, which is also {@code /who}'s order. */
    private final Map<Long, Member> members = new LinkedHashMap<>();
    /** By lower-cased nick: nicks are unique regardless of case, so "Alice" cannot pass for "alice". */
    private final Map<String, Member> nicks = new HashMap<>();
    /**
     * The members as an array, for fan-out: a delivery can close a member (a reset, a cut) and so change
     * {@link #members} in the middle of the loop. Rebuilt after a join or a leave, only when next needed.
     */
    private Member[] roster = new Member[0];
    private boolean rosterStale;
    /** Members found over the bound during a fan-out, cut right after it, so a fan-out never runs inside another. */
    private final ArrayDeque<Member> slow = new ArrayDeque<>();
    private boolean cutting;
    /**
     * One read's worth of a sender's lines, each with its prefix, fanned out with one write per receiver instead of
     * one per line. Shared by every member: only one handler runs at a time, and a batch never outlives its onData.
     */
    private final ByteBuffer batch;
    private int batchedLines;

    /** The other reactors' rooms of the same chat; empty for a room on one reactor. Set once, before any member. */
    private List<ChatRoom> siblings = List.of();
    /** What the rooms of one chat share; null for a room on one reactor. */
    private final Shared shared;

    /** The state the linked rooms share: thread-safe, and touched on joins, leaves and renames only. */
    private static final class Shared {
        final AtomicLong ids = new AtomicLong();
        final AtomicInteger members = new AtomicInteger();
        /** Lower-cased nick to the id of the member holding it. */
        final ConcurrentHashMap<String, Long> nicks = new ConcurrentHashMap<>();
    }

    private final Counter messages;
    private final Counter slowConsumers;
    private final Counter errors;

    private long lastWarnNanos;
    private long cutsSinceWarn;
    private String lastCut;
    private Timer warnTimer;

    private ChatRoom(Reactor reactor, int maxLine, long maxPending) {
        this(reactor, maxLine, maxPending, null);
    }

    private ChatRoom(Reactor reactor, int maxLine, long maxPending, Shared shared) {
        if (maxLine < 1 || maxPending < 1) {
            throw new IllegalArgumentException("chat max line and max pending must be >= 1, got " + maxLine + " / "
                    + maxPending);
        }
        this.reactor = reactor;
        this.shared = shared;
        this.maxLine = maxLine;
        this.maxPending = maxPending;
        this.batch = ByteBuffer.allocate(Math.max(reactor.readBufferSize(), maxLine) + 2 * (MAX_NAME + 3));
        this.messages = reactor.counter("chat_messages_total", "Chat lines received and passed on to the others");
        this.slowConsumers = reactor.counter("chat_slow_consumers_total",
                "Chat members disconnected because their pending output passed --chat-max-pending");
        this.errors = reactor.counter("chat_errors_total",
                "Chat ERR replies: unknown commands, bad nicks, lines over --chat-max-line");
        reactor.gauge("chat_members", "Chat members in the room now", () -> members.size());
    }

    /**
     * The room of {@code reactor}, registering its metrics there (so one room per reactor). Any thread.
     *
     * @param maxLine    the longest line, in bytes before its {@code \n}; a longer one gets an ERR and is dropped
     * @param maxPending the most output one member may have pending; a delivery past it cuts the member
     */
    public static ChatRoom create(Reactor reactor, int maxLine, long maxPending) {
        return new ChatRoom(reactor, maxLine, maxPending);
    }

    /**
     * One chat room over several reactors: a room per reactor, in the same order, linked (see the class comment). Bind
     * a listener that gives each connection the handlers of its own reactor's room (hand-off or SO_REUSEPORT, e.g.
     * {@code serve --reactors N}). Any thread.
     */
    public static List<ChatRoom> createAcross(List<Reactor> reactors, int maxLine, long maxPending) {
        if (reactors.size() == 1) {
            return List.of(create(reactors.get(0), maxLine, maxPending));
        }
        Shared shared = new Shared();
        List<ChatRoom> rooms = new ArrayList<>();
        for (Reactor r : reactors) {
            rooms.add(new ChatRoom(r, maxLine, maxPending, shared));
        }
        for (ChatRoom room : rooms) {
            List<ChatRoom> others = new ArrayList<>(rooms);
            others.remove(room);
            room.siblings = List.copyOf(others); // published to the reactor threads by the listener's bind
        }
        return List.copyOf(rooms);
    }

    /** {@return the reactor whose members this room holds} */
    public Reactor reactor() {
        return reactor;
    }

    /** The new member's id: its connection's, or the next of the linked rooms' shared count. */
    long newMemberId(Connection c) {
        return shared == null ? c.id() : shared.ids.incrementAndGet();
    }

    /** Listens for members on {@code address}, with {@code limits}; the future completes once bound. Any thread. */
    public CompletableFuture<Listener> listen(InetSocketAddress address, Limits limits) {
        return reactor.listen("chat", address, limits, handlers());
    }

    /**
     * Likewise with {@code options}, e.g. {@link ListenOptions#expectProxyHeader} behind a proxy (then {@code /who}
     * shows the clients' real addresses). Hand-off to other reactors is refused: this room is one reactor's.
     */
    public CompletableFuture<Listener> listen(InetSocketAddress address, Limits limits, ListenOptions options) {
        if (options.handsOff()) {
            throw new IllegalArgumentException("a chat room lives on one reactor; it cannot hand members to others");
        }
        Supplier<StreamHandler> members = handlers();
        return reactor.listen("chat", address, limits, options, home -> members.get());
    }

    /** A new member's handler for each connection: give this to {@link Reactor#listen}. */
    public Supplier<StreamHandler> handlers() {
        return () -> new Member(this, new LineAssembler(maxLine));
    }

    int maxLine() {
        return maxLine;
    }

    // ------------------------------------------------------------------------------------- membership

    void join(Member member) {
        int others = shared == null ? members.size() : shared.members.getAndIncrement();
        members.put(member.id(), member);
        rosterStale = true;
        tell(member, "* you are " + member.name() + "; " + others + (others == 1 ? " other" : " others") + " here");
        if (!member.inRoom()) {
            return; // the greeting failed (a reset): it has left already
        }
        announce(member, "* " + member.name() + " joined");
    }

    /** Takes {@code member} out of the room and tells the others why, unless {@code why} is null (shutdown). */
    void leave(Member member, String why) {
        if (members.remove(member.id()) == null) {
            return;
        }
        rosterStale = true;
        if (shared != null) {
            shared.members.decrementAndGet();
        }
        if (member.nick() != null) {
            releaseNick(member.nick().toLowerCase(Locale.ROOT), member);
        }
        if (why != null) {
            announce(member, "* " + member.name() + " left (" + why + ")");
        }
    }

    /** Renames, or returns why not: the ERR line's text. */
    String rename(Member member, String nick) {
        if (!validNick(nick)) {
            return "bad nick (1-" + MAX_NAME + " of A-Z a-z 0-9 _ -)";
        }
        String key = nick.toLowerCase(Locale.ROOT);
        if (!claimNick(key, member)) {
            return "nick " + nick + " is taken";
        }
        String before = member.name();
        if (nick.equals(member.nick())) {
            tell(member, "* you are now " + nick);
            return null; // nothing changed: nothing to announce
        }
        if (member.nick() != null && !member.nick().toLowerCase(Locale.ROOT).equals(key)) {
            releaseNick(member.nick().toLowerCase(Locale.ROOT), member);
        }
        member.nick(nick);
        tell(member, "* you are now " + nick);
        announce(member, "* " + before + " is now " + nick);
        return null;
    }

    /** Takes {@code key} for {@code member}, unless another member holds it; across linked rooms, atomically. */
    private boolean claimNick(String key, Member member) {
        if (shared != null) {
            Long holder = shared.nicks.putIfAbsent(key, member.id());
            return holder == null || holder == member.id();
        }
        Member holder = nicks.get(key);
        if (holder != null && holder != member) {
            return false;
        }
        nicks.put(key, member);
        return true;
    }

    private void releaseNick(String key, Member member) {
        if (shared != null) {
            shared.nicks.remove(key, member.id());
        } else {
            nicks.remove(key);
        }
    }

    /** 1 to 32 of {@code [A-Za-z0-9_-]}: no spaces, no {@code #} (which marks ids), nothing a terminal would act on. */
    static boolean validNick(String nick) {
        if (nick.isEmpty() || nick.length() > MAX_NAME) {
            return false;
        }
        for (int i = 0; i < nick.length(); i++) {
            char ch = nick.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '_' || ch == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code * 3 here: #1 alice 127.0.0.1:50312, #2 127.0.0.1:50318, #7 bob 198.51.100.7:40001 (you)}, in the order
     * they joined, each with its client address (behind a PROXY-protocol proxy, the real client's).
     */
    void who(Member asking) {
        List<WhoEntry> entries = whoEntries(asking);
        if (siblings.isEmpty()) {
            answerWho(asking, entries);
            return;
        }
        // Every other room lists its members on its own thread and hands the list back to this one.
        int[] waiting = {siblings.size()};
        for (ChatRoom other : siblings) {
            other.reactor.execute(() -> {
                List<WhoEntry> part = other.whoEntries(null);
                reactor.execute(() -> {
                    entries.addAll(part);
                    if (--waiting[0] == 0 && asking.inRoom()) {
                        entries.sort(Comparator.comparingLong(WhoEntry::id)); // ids count up as members join
                        answerWho(asking, entries);
                    }
                });
            });
        }
    }

    /** One member in a {@code /who} answer. */
    private record WhoEntry(long id, String text) {
    }

    private List<WhoEntry> whoEntries(Member asking) {
        List<WhoEntry> entries = new ArrayList<>(members.size());
        for (Member m : members.values()) {
            StringBuilder e = new StringBuilder().append('#').append(m.id());
            if (m.nick() != null) {
                e.append(' ').append(m.nick());
            }
            e.append(' ').append(hostPort(m.connection().clientAddress()));
            if (m == asking) {
                e.append(" (you)");
            }
            entries.add(new WhoEntry(m.id(), e.toString()));
        }
        return entries;
    }

    private void answerWho(Member asking, List<WhoEntry> entries) {
        StringBuilder line = new StringBuilder("* ").append(entries.size()).append(" here:");
        String sep = " ";
        for (WhoEntry e : entries) {
            line.append(sep).append(e.text());
            sep = ", ";
        }
        tell(asking, line.toString());
    }

    /** {@code 127.0.0.1:50312}, {@code [::1]:50312}. */
    static String hostPort(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    void error(Member member, String what) {
        errors.increment();
        tell(member, "* ERR " + what);
    }

    // ----------------------------------------------------------------------------------------- fan-out

    /**
     * Adds one of {@code sender}'s lines to the batch, flushing the batch first when the line would not fit. The line
     * is passed through as it is: no decoding.
     */
    void batchLine(Member sender, ByteBuffer line) {
        byte[] prefix = sender.prefix();
        if (batch.remaining() < prefix.length + line.remaining() + 1) {
            flushBatch(sender);
        }
        batch.put(prefix).put(line).put((byte) '\n');
        batchedLines++;
    }

    /** Sends the batched lines to every member but {@code sender}. */
    void flushBatch(Member sender) {
        if (batch.position() == 0) {
            return;
        }
        batch.flip();
        messages.add(batchedLines);
        try {
            toSiblings(batch);
            fanOut(sender, batch);
        } finally {
            batch.clear();
            batchedLines = 0;
        }
    }

    /** A line of the room's own (joins, leaves, renames) to every member but {@code about}. */
    private void announce(Member about, String text) {
        ByteBuffer line = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.ISO_8859_1));
        toSiblings(line);
        fanOut(about, line);
    }

    /**
     * Hands a copy of {@code message} to every other room, to fan out to its members on its own thread. The copy is
     * made once and only read from then on; each room's queue keeps this sender's lines in order.
     */
    private void toSiblings(ByteBuffer message) {
        if (siblings.isEmpty()) {
            return;
        }
        byte[] copy = new byte[message.remaining()];
        message.duplicate().get(copy);
        for (ChatRoom other : siblings) {
            other.reactor.execute(() -> other.fromAfar(copy));
        }
    }

    /** Lines a member of another reactor's room sent, or an announcement about one: to every member here. */
    private void fromAfar(byte[] message) {
        fanOut(null, ByteBuffer.wrap(message));
    }

    private void fanOut(Member except, ByteBuffer message) {
        if (rosterStale) {
            roster = members.values().toArray(new Member[0]);
            rosterStale = false;
        }
        for (Member m : roster) {
            if (m != except) {
                deliver(m, message);
            }
        }
        cutSlowConsumers();
    }

    /** A line of the room's to one member (a greeting, an ERR, the who list). */
    void tell(Member member, String text) {
        deliver(member, ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.ISO_8859_1)));
        cutSlowConsumers();
    }

    /** Sends {@code message} (from its start: it goes to many) unless that would put the member over the bound. */
    private void deliver(Member member, ByteBuffer message) {
        if (!member.inRoom()) {
            return; // left during this fan-out, or already marked for the cut
        }
        Connection c = member.connection();
        message.rewind();
        if (!c.canTake(message.remaining(), maxPending)) {
            member.markSlow(c.pendingBytes());
            slow.add(member);
            return;
        }
        c.send(message);
    }

    /**
     * Closes the members found over the bound, after the fan-out that found them. Each cut announces a leave, a
     * fan-out of its own that may find more; they join the queue rather than recursing.
     */
    private void cutSlowConsumers() {
        if (cutting) {
            return;
        }
        cutting = true;
        try {
            Member m;
            while ((m = slow.poll()) != null) {
                slowConsumers.increment();
                noteCut(m);
                // close, not closeAfterFlush: flushing is exactly what this member cannot keep up with.
                m.connection().close(CloseReason.SLOW_CONSUMER);
            }
        } finally {
            cutting = false;
        }
    }

    /** A WARN at most once a second, counting the cuts since the last one, as the listener does for rejections. */
    private void noteCut(Member m) {
        cutsSinceWarn++;
        lastCut = m.name() + " from " + hostPort(m.connection().clientAddress()) + " with " + m.pendingAtCut()
                + " bytes pending";
        long now = System.nanoTime();
        if (lastWarnNanos == 0 || now - lastWarnNanos >= WARN_INTERVAL_NANOS) {
            warnCuts();
        } else if (warnTimer == null) {
            // The timer reports the tail of a burst that then stops.
            warnTimer = reactor.schedule(Duration.ofNanos(lastWarnNanos + WARN_INTERVAL_NANOS - now),
                    "chat-slow-consumer-log", this::warnCuts);
        }
    }

    private void warnCuts() {
        if (warnTimer != null) {
            warnTimer.cancel();
            warnTimer = null;
        }
        if (cutsSinceWarn == 0) {
            return;
        }
        log.warn("chat: {} slow consumer(s) disconnected: pending output would pass --chat-max-pending ({} bytes); "
                + "the last was {}", cutsSinceWarn, maxPending, lastCut);
        lastWarnNanos = System.nanoTime();
        cutsSinceWarn = 0;
    }
}
