package nioreactor.server;

/**
 * How a server with several reactors ({@code serve --reactors N}) spreads new connections over them; see
 * {@link nioreactor.reactor.ListenOptions} for the two designs and the README for the measured figures.
 */
public enum AcceptMode {
    /**
     * reactor-0 accepts every connection and hands it to the reactor with the fewest open connections of that
     * listener (Netty's boss/worker): exact balance, one cross-thread hop per new connection.
     */
    HANDOFF,
    /**
     * Every reactor has its own listener on the port, with {@code SO_REUSEPORT}, and the kernel hashes each new
     * connection to one of them: no hop, statistical balance.
     */
    REUSEPORT
}
