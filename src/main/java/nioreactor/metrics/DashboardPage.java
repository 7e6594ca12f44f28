package nioreactor.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The dashboard page, {@code GET /}: one self-contained HTML file (its CSS and JavaScript inline) from the jar. */
final class DashboardPage {
    static final String RESOURCE = "/nioreactor/dashboard/index.html";

    private DashboardPage() {
    }

    private static final class Holder {
        static final byte[] BYTES = load();
    }

    /** The page's bytes, read once on first use. Any thread. */
    static byte[] bytes() {
        return Holder.BYTES;
    }

    private static byte[] load() {
        try (InputStream in = DashboardPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
