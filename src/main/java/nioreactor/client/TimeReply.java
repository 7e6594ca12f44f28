package nioreactor.client;

import java.util.Objects;

/**
 * One answer of the time service: the formatted time, or an {@code ERR reason} answer to a bad request.
 *
 * <p>The wire protocol marks errors only by that prefix, so a format whose literal text itself starts with
 * {@code "ERR "} gets an answer that looks like an error; avoid such formats.
 */
public record TimeReply(String text) {
    public static final String ERROR_PREFIX = "ERR ";

    public TimeReply {
        Objects.requireNonNull(text, "text");
    }

    public boolean isError() {
        return text.startsWith(ERROR_PREFIX);
    }
}
