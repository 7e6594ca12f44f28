package nioreactor.robustness;

import java.io.File;

/** This JVM's open file descriptors, from /proc/self/fd: the server runs in-process, so its leaks show here. */
final class Descriptors {
    private Descriptors() {
    }

    static boolean available() {
        return new File("/proc/self/fd").isDirectory();
    }

    static int open() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
