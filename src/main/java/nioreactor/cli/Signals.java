package nioreactor.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * SIGINT and SIGTERM start a graceful shutdown, after which {@code serve} exits with status 0. A JVM shutdown hook
 * would also run, but the JVM would then exit with 130 or 143 and give the shutdown no say in the exit status, so
 * the signals are handled directly where the JDK allows it ({@code sun.misc.Signal}, in module jdk.unsupported).
 *
 * <p>{@code sun.misc.Signal} is reached by reflection, on purpose. Naming it in source makes javac print "internal
 * proprietary API and may be removed" on every build, a warning that neither {@code @SuppressWarnings} nor any
 * {@code -Xlint} option turns off, so a build that must stay warning-free cannot name it. jdk.unsupported exports
 * {@code sun.misc}, so reflection needs no {@code --add-exports}/{@code --add-opens}; and if a future JDK drops the
 * class, the fallback below (a shutdown hook) still shuts down gracefully, only with the JVM's exit status.
 */
final class Signals {
    private Signals() {
    }

    /**
     * What {@link #onTerminate} did.
     *
     * @param intIgnored whether SIGINT stays ignored: a process started in the background by a non-interactive shell
     *                   ({@code make run &} in a script) inherits SIGINT ignored, and the JVM keeps it that way
     *                   (SIGTERM still works)
     * @param undo       puts the previous handlers back, for a serve that ends without serving (a port in use) in a
     *                   JVM that goes on, e.g. a test's
     */
    record Registration(boolean intIgnored, Runnable undo) {
    }

    /**
     * Runs {@code action} (on a JVM thread) on every SIGHUP: {@code serve} re-reads its TLS certificate and key. Returns
     * false where the JDK does not let us handle it (then SIGHUP keeps its default, ending the process).
     */
    static boolean onHangup(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            handle.invoke(null, signalClass.getConstructor(String.class).newInstance("HUP"),
                    proxy(handlerClass, action, "SignalHandler(reload)"));
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unsupported) {
            return false;
        }
    }

    /** A {@code sun.misc.SignalHandler} that runs {@code action}: it has one method, handle(Signal). */
    private static Object proxy(Class<?> handlerClass, Runnable action, String name) {
        return Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> name;
                        };
                    }
                    action.run();
                    return null;
                });
    }

    /** Runs {@code action} (on a JVM thread) on SIGINT or SIGTERM. */
    static Registration onTerminate(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signalClass.getConstructor(String.class);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object handler = proxy(handlerClass, action, "SignalHandler(graceful shutdown)");
            Object ignore = handlerClass.getField("SIG_IGN").get(null);
            Object intSignal = newSignal.newInstance("INT");
            Object termSignal = newSignal.newInstance("TERM");
            Object previousInt = handle.invoke(null, intSignal, handler);
            Object previousTerm = handle.invoke(null, termSignal, handler);
            Runnable undo = () -> {
                try {
                    handle.invoke(null, intSignal, previousInt);
                    handle.invoke(null, termSignal, previousTerm);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot restore the signal handlers", e);
                }
            };
            // The JVM leaves an inherited "ignore" in place and reports it as the previous handler.
            return new Registration(previousInt == ignore, undo);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unsupported) {
            Thread hook = new Thread(action, "shutdown-hook");
            Runtime.getRuntime().addShutdownHook(hook);
            return new Registration(false, () -> Runtime.getRuntime().removeShutdownHook(hook));
        }
    }
}
