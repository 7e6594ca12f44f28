package nioreactor.cli;

/**
 * SIGINT and SIGTERM start a graceful shutdown, after which {@code serve} exits with status 0. A JVM shutdown hook
 * would also run, but the JVM would then exit with 130 or 143 and give the shutdown no say in the exit status, so
 * the signals are handled directly where the JDK allows it ({@code sun.misc.Signal}, in module jdk.unsupported).
 */
final class Signals {
    private Signals() {
    }

    @SuppressWarnings("removal")
    static void onTerminate(Runnable action) {
        try {
            for (String name : new String[] {"INT", "TERM"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run());
            }
        } catch (Throwable unsupported) {
            Runtime.getRuntime().addShutdownHook(new Thread(action, "shutdown-hook"));
        }
    }
}
