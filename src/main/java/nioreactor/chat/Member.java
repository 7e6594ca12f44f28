package nioreactor.chat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.StreamHandler;

/**
 * One member of a {@link ChatRoom}: the handler of one connection, with its own line assembler (a line may span
 * reads) and name. Message lines are batched per read and fanned out by the room; commands are answered here.
 */
final class Member implements StreamHandler, LineAssembler.Sink {

    /** Where a member is in its life in the room. */
    private enum Presence {
        /** Connected, not yet greeted (before onOpen). */
        ARRIVING,
        /** In the room: gets the others' lines. */
        IN_ROOM,
        /** Found over --chat-max-pending during a fan-out; gets nothing more and is closed right after it. */
        BEING_CUT,
        /** Out of the room: quit, closed, or cut. */
        LEFT
    }

    private final ChatRoom room;
    private final LineAssembler lines;
    private Connection connection;
    /** The connection's id alone, or one counted across the room when it spans several reactors. */
    private long id;
    private Presence presence = Presence.ARRIVING;
    private String nick;
    /** The name and ": " as bytes, ahead of each of this member's lines. */
    private byte[] prefix;
    private long pendingAtCut;

    Member(ChatRoom room, LineAssembler lines) {
        this.room = room;
        this.lines = lines;
    }

    @Override
    public void onOpen(Connection c) {
        connection = c;
        id = room.newMemberId(c);
        c.attach(this);
        prefix = (name() + ": ").getBytes(StandardCharsets.ISO_8859_1);
        presence = Presence.IN_ROOM;
        room.join(this);
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        if (presence != Presence.IN_ROOM) {
            return;
        }
        try {
            lines.feed(data, this);
        } finally {
            room.flushBatch(this); // one write per receiver for everything this read completed
        }
    }

    @Override
    public boolean line(ByteBuffer line) {
        if (presence != Presence.IN_ROOM) {
            return false;
        }
        int start = line.position();
        if (line.remaining() > 0 && line.get(start) == '/') {
            if (line.remaining() > 1 && line.get(start + 1) == '/') {
                line.position(start + 1); // "//x" is the line "/x", not a command
            } else {
                room.flushBatch(this); // lines before a /nick go out under the old name
                command(line);
                return presence == Presence.IN_ROOM;
            }
        }
        room.batchLine(this, line);
        return true;
    }

    @Override
    public boolean tooLong() {
        if (presence != Presence.IN_ROOM) {
            return false;
        }
        room.flushBatch(this);
        room.error(this, "line too long (max " + room.maxLine() + " bytes)");
        return presence == Presence.IN_ROOM;
    }

    private void command(ByteBuffer line) {
        // Commands are ASCII; ISO-8859-1 maps each byte to one char, so an unknown word is echoed back byte for byte.
        String text = StandardCharsets.ISO_8859_1.decode(line).toString();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1); // telnet and nc -C end lines with \r\n
        }
        int space = text.indexOf(' ');
        String word = space < 0 ? text : text.substring(0, space);
        String argument = space < 0 ? "" : text.substring(space + 1).strip();
        Command command = Command.named(word);
        if (command == null) {
            room.error(this, "unknown command " + abbreviate(word) + " (try " + Command.USAGE + ")");
            return;
        }
        switch (command) {
            case NICK -> {
                String refused = room.rename(this, argument);
                if (refused != null) {
                    room.error(this, refused);
                }
            }
            case WHO -> room.who(this);
            case QUIT -> {
                room.tell(this, "* bye");
                presence = Presence.LEFT;
                room.leave(this, "quit");
                connection.closeAfterFlush(CloseReason.LOCAL);
            }
        }
    }

    private static String abbreviate(String word) {
        return word.length() <= 40 ? word : word.substring(0, 40) + "...";
    }

    @Override
    public void onClose(Connection c, CloseReason reason) {
        if (presence == Presence.LEFT || presence == Presence.ARRIVING) {
            return; // quit already told the others; a member never greeted was never announced
        }
        presence = Presence.LEFT;
        // At shutdown every member is leaving at once: announcing each to the rest would only queue bytes to
        // connections that are closing too.
        room.leave(this, reason == CloseReason.SHUTDOWN ? null : reason.label());
    }

    @Override
    public String partialMessage() {
        return lines.describePartial();
    }

    // ------------------------------------------------------------------------------------ for the room

    long id() {
        return id;
    }

    Connection connection() {
        return connection;
    }

    boolean inRoom() {
        return presence == Presence.IN_ROOM;
    }

    void markSlow(long pending) {
        presence = Presence.BEING_CUT;
        pendingAtCut = pending;
    }

    long pendingAtCut() {
        return pendingAtCut;
    }

    /** The nick, or null before the first {@code /nick}. */
    String nick() {
        return nick;
    }

    void nick(String value) {
        nick = value;
        prefix = (value + ": ").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** What the others see: the nick once there is one, else {@code #id}. */
    String name() {
        return nick != null ? nick : "#" + id;
    }

    byte[] prefix() {
        return prefix;
    }

    @Override
    public String toString() {
        return name();
    }
}
