package nioreactor.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A bounded, least-recently-used cache from format string to compiled {@link TimeFormat}, so a
 * format that clients send again and again is parsed once.
 *
 * <p>Failures are cached too: a bad format is answered from the cache with the same {@link
 * TimeFormatException} (it carries no stack trace and is immutable, so sharing it is safe),
 * which keeps a client repeating a bad format as cheap as a good one.
 *
 * <p>Not thread-safe: meant for the one reactor thread that serves the time requests. The
 * bound is on entries; each entry holds its format string, so the caller's request size limit
 * bounds the memory.
 */
public final class TimeFormatCache {

  /** The bound used by {@link #TimeFormatCache()}. */
  public static final int DEFAULT_MAX_ENTRIES = 1024;

  /** Values are a {@link TimeFormat} or the {@link TimeFormatException} its compile threw. */
  private final Map<String, Object> entries;

  /** A cache of at most {@link #DEFAULT_MAX_ENTRIES} formats. */
  public TimeFormatCache() {
    this(DEFAULT_MAX_ENTRIES);
  }

  /**
   * A cache of at most {@code maxEntries} formats; the least recently used one goes first.
   *
   * @throws IllegalArgumentException if {@code maxEntries} is below 1
   */
  public TimeFormatCache(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
    }
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /**
   * The compiled format, compiling it on first use.
   *
   * @throws TimeFormatException if the format is invalid (now or when it was first seen)
   */
  public TimeFormat get(String format) throws TimeFormatException {
    Objects.requireNonNull(format, "format");
    Object cached = entries.get(format);
    if (cached == null) {
      try {
        cached = TimeFormat.compile(format);
      } catch (TimeFormatException e) {
        cached = e;
      }
      entries.put(format, cached);
    }
    if (cached instanceof TimeFormatException) {
      throw (TimeFormatException) cached;
    }
    return (TimeFormat) cached;
  }

  /** The number of cached formats, good and bad. */
  public int size() {
    return entries.size();
  }
}
