package nioreactor.kv;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import nioreactor.reactor.Counter;

/**
 * Runs one parsed command against the store and writes Redis's reply, byte for byte, including Redis 7's error
 * lines. One per reactor; the arguments are slices of the caller's buffer, valid during {@link #execute} only.
 */
final class Commands {
    /** What the connection does after a command. */
    enum After {
        /** Go on with the next command. */
        CONTINUE,
        /** QUIT: flush the replies and close; later input is ignored, as Redis ignores it. */
        CLOSE
    }

    static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    static final String SYNTAX_ERROR = "ERR syntax error";
    static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    /** Redis truncates the command name and the argument list it quotes in an unknown-command error to this. */
    private static final int QUOTE_LIMIT = 128;

    private static final byte[] NX = Reply.ascii("NX");
    private static final byte[] XX = Reply.ascii("XX");
    private static final byte[] GT = Reply.ascii("GT");
    private static final byte[] LT = Reply.ascii("LT");
    private static final byte[] EX = Reply.ascii("EX");
    private static final byte[] PX = Reply.ascii("PX");
    private static final byte[] EXAT = Reply.ascii("EXAT");
    private static final byte[] PXAT = Reply.ascii("PXAT");
    private static final byte[] KEEPTTL = Reply.ascii("KEEPTTL");
    private static final byte[] GET = Reply.ascii("GET");
    private static final byte[] SYNC = Reply.ascii("SYNC");
    private static final byte[] ASYNC = Reply.ascii("ASYNC");

    private final KeyValueStore store;
    private final Reply reply;
    private final LongSupplier clock;
    private final KvSettings settings;
    private final KvInfo info;
    private final Counter commands;
    private final Counter hits;
    private final Counter misses;
    private final Counter oomRejections;
    /** Scratch for a number about to be stored (INCR's result). */
    private final byte[] digits = new byte[Numbers.MAX_DIGITS];

    private byte[] buf;
    private int base;
    private RespParser args;
    /** This command's "now" in epoch ms, taken once, as Redis's commandTimeSnapshot. */
    private long now;

    Commands(KeyValueStore store, Reply reply, LongSupplier clock, KvSettings settings, KvInfo info, Counter commands,
             Counter hits, Counter misses, Counter oomRejections) {
        this.store = store;
        this.reply = reply;
        this.clock = clock;
        this.settings = settings;
        this.info = info;
        this.commands = commands;
        this.hits = hits;
        this.misses = misses;
        this.oomRejections = oomRejections;
    }

    After execute(byte[] buf, int base, RespParser args) {
        this.buf = buf;
        this.base = base;
        this.args = args;
        try {
            return dispatch();
        } finally {
            this.buf = null;
            this.args = null;
        }
    }

    private After dispatch() {
        int argc = args.argc();
        KvCommand cmd = KvCommand.lookup(buf, off(0), len(0));
        if (cmd == null) {
            reply.error(unknownCommand());
            return After.CONTINUE;
        }
        if (!cmd.arityOk(argc)) {
            reply.error(arityError(cmd.lowerName));
            return After.CONTINUE;
        }
        if (cmd.growsMemory && settings.maxMemory() > 0 && store.usedMemory() > settings.maxMemory()) {
            oomRejections.increment();
            reply.error(OOM);
            return After.CONTINUE;
        }
        now = clock.getAsLong();
        commands.increment();
        switch (cmd) {
            case PING -> ping(argc);
            case ECHO -> reply.bulk(buf, off(1), len(1));
            case SET -> set(argc);
            case GET -> get();
            case DEL -> del(argc);
            case EXISTS -> exists(argc);
            case INCR -> incrBy(1);
            case DECR -> incrBy(-1);
            case INCRBY -> incrByArg(false);
            case DECRBY -> incrByArg(true);
            case MGET -> mget(argc);
            case MSET -> mset(argc);
            case EXPIRE -> expire(argc, 1000, "expire");
            case PEXPIRE -> expire(argc, 1, "pexpire");
            case TTL -> ttl(1000);
            case PTTL -> ttl(1);
            case PERSIST -> persist();
            case DBSIZE -> reply.integer(store.size());
            case FLUSHDB -> flush(argc);
            case FLUSHALL -> flush(argc);
            case SELECT -> select();
            case INFO -> reply.bulk(info.text(sections(argc)));
            case QUIT -> {
                reply.raw(Reply.OK);
                return After.CLOSE;
            }
            case CONFIG -> config(argc);
            case COMMAND -> command(argc);
        }
        return After.CONTINUE;
    }

    // ------------------------------------------------------------------------------------------ arguments

    private int off(int i) {
        return base + args.start(i);
    }

    private int len(int i) {
        return args.length(i);
    }

    private boolean is(int i, byte[] upper) {
        return KvCommand.equalsIgnoreCase(upper, buf, off(i), len(i));
    }

    private String text(int i) {
        return new String(buf, off(i), len(i), StandardCharsets.ISO_8859_1);
    }

    /** Argument {@code i} as Redis's integer, or {@code invalid}; {@link #isLongArg} tells the two apart. */
    private long longArg(int i, long invalid) {
        return Numbers.parseLong(buf, off(i), len(i), invalid);
    }

    private boolean isLongArg(int i) {
        return Numbers.isLong(buf, off(i), len(i));
    }

    // ------------------------------------------------------------------------------------------ errors

    static String arityError(String name) {
        return "ERR wrong number of arguments for '" + name + "' command";
    }

    private static String expireTimeError(String command) {
        return "ERR invalid expire time in '" + command + "' command";
    }

    /** Redis's wording: the name and up to 128 characters of quoted arguments, each cut at a NUL as C strings are. */
    private String unknownCommand() {
        StringBuilder quoted = new StringBuilder();
        for (int i = 1; i < args.argc() && quoted.length() < QUOTE_LIMIT; i++) {
            quoted.append('\'').append(cString(i, QUOTE_LIMIT - quoted.length())).append("' ");
        }
        return "ERR unknown command '" + cString(0, QUOTE_LIMIT) + "', with args beginning with: " + quoted;
    }

    private String unknownSubcommand(String container) {
        return "ERR unknown subcommand '" + cString(1, QUOTE_LIMIT) + "'. Try " + container + " HELP.";
    }

    private String cString(int i, int limit) {
        int n = 0;
        int o = off(i);
        while (n < len(i) && n < limit && buf[o + n] != 0) {
            n++;
        }
        return new String(buf, o, n, StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------------------------------ commands

    private void ping(int argc) {
        if (argc > 2) {
            reply.error(arityError("ping"));
        } else if (argc == 2) {
            reply.bulk(buf, off(1), len(1));
        } else {
            reply.raw(Reply.PONG);
        }
    }

    private byte[] lookupRead(int i) {
        byte[] e = store.get(buf, off(i), len(i), now);
        if (e == null) {
            misses.increment();
        } else {
            hits.increment();
        }
        return e;
    }

    private void replyValue(byte[] e) {
        if (e == null) {
            reply.nullBulk();
        } else {
            int vo = KeyValueStore.valueOffset(e);
            reply.bulk(e, vo, e.length - vo);
        }
    }

    private void get() {
        replyValue(lookupRead(1));
    }

    /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL], with Redis's option rules. */
    private void set(int argc) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        int expireArg = -1;
        byte[] unit = null;
        for (int j = 3; j < argc; j++) {
            boolean hasNext = j < argc - 1;
            if (is(j, NX) && !xx) {
                nx = true;
            } else if (is(j, XX) && !nx) {
                xx = true;
            } else if (is(j, GET)) {
                get = true;
            } else if (is(j, KEEPTTL) && unit == null) {
                keepTtl = true;
            } else if (hasNext && !keepTtl && (is(j, EX) || is(j, PX) || is(j, EXAT) || is(j, PXAT))) {
                byte[] u = is(j, EX) ? EX : is(j, PX) ? PX : is(j, EXAT) ? EXAT : PXAT;
                if (unit != null && unit != u) {
                    reply.error(SYNTAX_ERROR);
                    return;
                }
                unit = u;
                expireArg = ++j;
            } else {
                reply.error(SYNTAX_ERROR);
                return;
            }
        }
        long expiry = KeyValueStore.NO_EXPIRY;
        if (unit != null) {
            if (!isLongArg(expireArg)) {
                reply.error(NOT_AN_INTEGER);
                return;
            }
            long n = longArg(expireArg, 0);
            boolean seconds = unit == EX || unit == EXAT;
            if (n <= 0 || (seconds && n > Long.MAX_VALUE / 1000)) {
                reply.error(expireTimeError("set"));
                return;
            }
            expiry = seconds ? n * 1000 : n;
            if (unit == EX || unit == PX) {
                expiry += now;
                if (expiry <= 0) { // overflowed
                    reply.error(expireTimeError("set"));
                    return;
                }
            }
        }
        byte[] old = store.get(buf, off(1), len(1), now);
        if (get) {
            replyValue(old);
        }
        if ((nx && old != null) || (xx && old == null)) {
            if (!get) {
                reply.nullBulk();
            }
            return;
        }
        if (keepTtl && old != null) {
            expiry = KeyValueStore.expiry(old);
        }
        store.put(buf, off(1), len(1), buf, off(2), len(2), expiry);
        if (!get) {
            reply.raw(Reply.OK);
        }
    }

    private void del(int argc) {
        long deleted = 0;
        for (int i = 1; i < argc; i++) {
            if (store.delete(buf, off(i), len(i), now)) {
                deleted++;
            }
        }
        reply.integer(deleted);
    }

    private void exists(int argc) {
        long found = 0;
        for (int i = 1; i < argc; i++) {
            if (lookupRead(i) != null) {
                found++;
            }
        }
        reply.integer(found);
    }

    private void incrByArg(boolean decrement) {
        if (!isLongArg(2)) {
            reply.error(NOT_AN_INTEGER);
            return;
        }
        long by = longArg(2, 0);
        if (decrement && by == Long.MIN_VALUE) {
            reply.error("ERR decrement would overflow");
            return;
        }
        incrBy(decrement ? -by : by);
    }

    private void incrBy(long by) {
        byte[] e = store.get(buf, off(1), len(1), now);
        long value = 0;
        long expiry = KeyValueStore.NO_EXPIRY;
        if (e != null) {
            int vo = KeyValueStore.valueOffset(e);
            if (!Numbers.isLong(e, vo, e.length - vo)) {
                reply.error(NOT_AN_INTEGER);
                return;
            }
            value = Numbers.parseLong(e, vo, e.length - vo, 0);
            expiry = KeyValueStore.expiry(e); // INCR keeps the time to live, as Redis overwrites in place
        }
        if ((by < 0 && value < 0 && by < Long.MIN_VALUE - value) || (by > 0 && value > 0 && by > Long.MAX_VALUE - value)) {
            reply.error("ERR increment or decrement would overflow");
            return;
        }
        value += by;
        int n = Numbers.writeDecimal(digits, 0, value);
        store.put(buf, off(1), len(1), digits, 0, n, expiry);
        reply.integer(value);
    }

    private void mget(int argc) {
        reply.arrayHeader(argc - 1);
        for (int i = 1; i < argc; i++) {
            replyValue(lookupRead(i));
        }
    }

    private void mset(int argc) {
        if (argc % 2 == 0) {
            reply.error(arityError("mset"));
            return;
        }
        for (int i = 1; i < argc; i += 2) {
            store.put(buf, off(i), len(i), buf, off(i + 1), len(i + 1), KeyValueStore.NO_EXPIRY);
        }
        reply.raw(Reply.OK);
    }

    /** EXPIRE / PEXPIRE key time [NX | XX | GT | LT]; a time already past deletes the key, as in Redis. */
    private void expire(int argc, long unitMillis, String name) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int j = 3; j < argc; j++) {
            if (is(j, NX)) {
                nx = true;
            } else if (is(j, XX)) {
                xx = true;
            } else if (is(j, GT)) {
                gt = true;
            } else if (is(j, LT)) {
                lt = true;
            } else {
                reply.error("ERR Unsupported option " + cString(j, Integer.MAX_VALUE));
                return;
            }
        }
        if (nx && (xx || gt || lt)) {
            reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if (gt && lt) {
            reply.error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        if (!isLongArg(2)) {
            reply.error(NOT_AN_INTEGER);
            return;
        }
        long when = longArg(2, 0);
        if (unitMillis == 1000) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                reply.error(expireTimeError(name));
                return;
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - now) {
            reply.error(expireTimeError(name));
            return;
        }
        when += now;
        byte[] e = store.get(buf, off(1), len(1), now);
        if (e == null) {
            reply.raw(Reply.ZERO);
            return;
        }
        long current = KeyValueStore.expiry(e);
        boolean refused = (nx && current != KeyValueStore.NO_EXPIRY)
                || (xx && current == KeyValueStore.NO_EXPIRY)
                || (gt && (current == KeyValueStore.NO_EXPIRY || when <= current))
                || (lt && current != KeyValueStore.NO_EXPIRY && when >= current);
        if (refused) {
            reply.raw(Reply.ZERO);
            return;
        }
        if (when <= now) {
            store.delete(e);
        } else {
            store.setExpiry(e, when);
        }
        reply.raw(Reply.ONE);
    }

    private void ttl(long unitMillis) {
        byte[] e = lookupRead(1);
        if (e == null) {
            reply.integer(-2);
            return;
        }
        long expiry = KeyValueStore.expiry(e);
        if (expiry == KeyValueStore.NO_EXPIRY) {
            reply.integer(-1);
            return;
        }
        long left = Math.max(0, expiry - now);
        reply.integer(unitMillis == 1 ? left : (left + 500) / 1000);
    }

    private void persist() {
        byte[] e = store.get(buf, off(1), len(1), now);
        if (e == null || KeyValueStore.expiry(e) == KeyValueStore.NO_EXPIRY) {
            reply.raw(Reply.ZERO);
            return;
        }
        store.setExpiry(e, KeyValueStore.NO_EXPIRY);
        reply.raw(Reply.ONE);
    }

    private void flush(int argc) {
        if (argc > 2 || (argc == 2 && !is(1, SYNC) && !is(1, ASYNC))) {
            reply.error(SYNTAX_ERROR);
            return;
        }
        store.clear();
        reply.raw(Reply.OK);
    }

    private void select() {
        if (!isLongArg(1)) {
            reply.error(NOT_AN_INTEGER);
            return;
        }
        long db = longArg(1, 0);
        if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
            reply.error("ERR value is out of range, value must between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
        } else if (db != 0) {
            reply.error("ERR DB index is out of range");
        } else {
            reply.raw(Reply.OK);
        }
    }

    private String[] sections(int argc) {
        String[] names = new String[argc - 1];
        for (int i = 1; i < argc; i++) {
            names[i - 1] = text(i);
        }
        return names;
    }

    /** CONFIG GET pattern [pattern ...]: the settings this service has, as name/value pairs; none match: empty. */
    private void config(int argc) {
        if (!(len(1) == 3 && is(1, GET))) {
            reply.error(unknownSubcommand("CONFIG"));
            return;
        }
        if (argc < 3) {
            reply.error(arityError("config|get"));
            return;
        }
        Map<String, String> known = info.config();
        Map<String, String> matched = new LinkedHashMap<>();
        for (int i = 2; i < argc; i++) {
            String pattern = text(i);
            known.forEach((name, value) -> {
                if (Glob.matches(pattern, name)) {
                    matched.put(name, value);
                }
            });
        }
        reply.arrayHeader(matched.size() * 2L);
        matched.forEach((name, value) -> {
            reply.bulk(name);
            reply.bulk(value);
        });
    }

    /** COMMAND [COUNT | DOCS | INFO | LIST ...]: empty lists (redis-cli then starts without hints), and the count. */
    private void command(int argc) {
        if (argc == 1) {
            reply.raw(Reply.EMPTY_ARRAY);
            return;
        }
        String sub = text(1).toLowerCase(java.util.Locale.ROOT);
        switch (sub) {
            case "count" -> {
                if (argc != 2) {
                    reply.error(arityError("command|count"));
                } else {
                    reply.integer(KvCommand.values().length);
                }
            }
            case "docs", "info", "list" -> reply.raw(Reply.EMPTY_ARRAY);
            default -> reply.error(unknownSubcommand("COMMAND"));
        }
    }
}
