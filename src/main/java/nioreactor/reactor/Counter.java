package nioreactor.reactor;

/**
 * A service's own counter (frames answered, ERR replies, slow consumers cut), registered with a reactor by
 * {@link Reactor#counter} so that its value appears in {@link ReactorStats#services()}, and from there in
 * {@code /metrics}, JMX and {@code stats}, next to the reactor's own counters.
 *
 * <p>Reactor thread only: a plain {@code long}, no atomics, like the reactor's own counters.
 */
public final class Counter {
    private final String name;
    private long value;

    Counter(String name) {
        this.name = name;
    }

    /** Adds one. */
    public void increment() {
        value++;
    }

    /**
     * Adds {@code n}.
     *
     * @param n how much to add
     */
    public void add(long n) {
        value += n;
    }

    /** {@return the count so far} */
    public long value() {
        return value;
    }

    /** {@return the name it was registered under} */
    public String name() {
        return name;
    }
}
