package nioreactor.metrics;

/**
 * What {@code GET /health} on the metrics port answers: {@code 200 ok} while the server is serving, {@code 503
 * draining} from the moment it was told to stop (SIGTERM), so that a load balancer's health check takes it out of
 * rotation before its listeners close. One per server, shared by its metrics connections; any thread.
 */
public final class Health {
    private volatile boolean draining;

    /** From now on {@code /health} answers 503. Any thread; calling it again does nothing. */
    public void drain() {
        draining = true;
    }

    public boolean isDraining() {
        return draining;
    }
}
