package nioreactor.kv;

/**
 * The key-value service's own limits, each with a named default; the listener's connection limits ({@code
 * --max-connections}, {@code --idle-timeout}) come from {@link nioreactor.reactor.Limits} as for every service.
 * The README's "Key-value service" section says what a client sees at each. Immutable; any thread.
 *
 * @param maxMemory  used memory (the store's estimate, see {@link KeyValueStore#usedMemory()}) above which writes
 *                   are refused with {@code -OOM} (Redis's {@code maxmemory} with the {@code noeviction} policy)
 * @param maxBulk    the longest bulk string a request may declare; a longer one is a protocol error (Redis's
 *                   {@code proto-max-bulk-len}, whose default is 512 MiB; ours is smaller because values live on the
 *                   Java heap)
 * @param maxRequest the most bytes one unfinished request may hold buffered; past it the connection is closed as a
 *                   protocol error (Redis's {@code client-query-buffer-limit})
 */
public record KvSettings(long maxMemory, long maxBulk, long maxRequest) {
    public static final long DEFAULT_MAX_MEMORY = 256L * 1024 * 1024;
    public static final long DEFAULT_MAX_BULK = 64L * 1024 * 1024;
    public static final long DEFAULT_MAX_REQUEST = 256L * 1024 * 1024;
    /** Elements in one request array; Redis's classic limit (1024 * 1024), above which the header is refused. */
    public static final int MAX_ARGS = 1024 * 1024;
    /** An inline command, or a length line, without its newline may not grow past this (Redis's PROTO_INLINE_MAX_SIZE). */
    public static final int MAX_INLINE = 64 * 1024;
    /** Java arrays stop short of 2 GiB; a request is held in one, so neither limit may reach it. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 64;

    public static final KvSettings DEFAULTS = new KvSettings(DEFAULT_MAX_MEMORY, DEFAULT_MAX_BULK, DEFAULT_MAX_REQUEST);

    /** The same with no memory limit (maxmemory 0, as Redis spells "none"). */
    public KvSettings withoutMemoryLimit() {
        return new KvSettings(0, maxBulk, maxRequest);
    }

    public KvSettings {
        if (maxMemory < 0) {
            throw new IllegalArgumentException("kv max memory must be >= 0, got " + maxMemory);
        }
        if (maxBulk < 1 || maxBulk > MAX_ARRAY) {
            throw new IllegalArgumentException("kv max bulk must be between 1 and " + MAX_ARRAY + " bytes, got " + maxBulk);
        }
        if (maxRequest < 1 || maxRequest > MAX_ARRAY) {
            throw new IllegalArgumentException("kv max request must be between 1 and " + MAX_ARRAY + " bytes, got "
                    + maxRequest);
        }
    }
}
