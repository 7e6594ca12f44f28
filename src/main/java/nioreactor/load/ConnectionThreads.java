package nioreactor.load;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a blocking server's per-connection threads come from: platform threads, or virtual threads when the JVM has
 * them (JDK 21+). The project compiles for 17, so virtual threads are reached by reflection at run time.
 */
final class ConnectionThreads {
    private ConnectionThreads() {
    }

    /** True when this JVM can start virtual threads. */
    static boolean virtualAvailable() {
        try {
            Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** One new thread per task: {@code Executors.newVirtualThreadPerTaskExecutor()} or daemon platform threads. */
    static ExecutorService perTask(boolean virtual, String namePrefix) {
        if (!virtual) {
            AtomicInteger n = new AtomicInteger();
            return Executors.newCachedThreadPool(task -> {
                Thread t = new Thread(task, namePrefix + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException("virtual threads need JDK 21 or newer; this is "
                    + System.getProperty("java.version"), e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the virtual-thread executor", e);
        }
    }
}
