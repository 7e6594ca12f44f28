package nioreactor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TimeFormatCacheTest {

  @Test
  void compilesOnceAndReturnsTheSameFormat() throws TimeFormatException {
    TimeFormatCache cache = new TimeFormatCache();

    TimeFormat first = cache.get("%Y-%m-%d-%X");
    TimeFormat second = cache.get("%Y-%m-%d-%X");

    assertThat(second).isSameAs(first);
    assertThat(cache.size()).isEqualTo(1);
    assertThat(first.format(Instant.EPOCH, ZoneOffset.UTC)).isEqualTo("1970-01-01-00:00:00");
  }

  @Test
  void cachesFailuresSoABadFormatIsParsedOnce() {
    TimeFormatCache cache = new TimeFormatCache(4);

    Throwable first = catchThrowable(() -> cache.get("%Q"));
    Throwable second = catchThrowable(() -> cache.get("%Q"));

    assertThat(first).isInstanceOf(TimeFormatException.class).hasMessage("unknown conversion %Q");
    assertThat(second).isSameAs(first);
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void evictsTheLeastRecentlyUsedBeyondTheBound() throws TimeFormatException {
    TimeFormatCache cache = new TimeFormatCache(2);
    TimeFormat year = cache.get("%Y");
    TimeFormat month = cache.get("%m");

    cache.get("%Y"); // now %m is the least recently used
    cache.get("%d"); // evicts %m

    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.get("%Y")).isSameAs(year);
    assertThat(cache.get("%m")).isNotSameAs(month).isEqualTo(month); // compiled again
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void failuresCountAgainstTheBoundToo() {
    TimeFormatCache cache = new TimeFormatCache(3);

    for (int i = 0; i < 10; i++) {
      int n = i;
      assertThatThrownBy(() -> cache.get("%" + n)).isInstanceOf(TimeFormatException.class);
    }

    assertThat(cache.size()).isEqualTo(3);
  }

  @Test
  void defaultBoundIs1024() throws TimeFormatException {
    TimeFormatCache cache = new TimeFormatCache();

    for (int i = 0; i < 1500; i++) {
      cache.get("x" + i);
    }

    assertThat(TimeFormatCache.DEFAULT_MAX_ENTRIES).isEqualTo(1024);
    assertThat(cache.size()).isEqualTo(1024);
  }

  @Test
  void rejectsANonPositiveBoundAndNullFormats() {
    assertThatThrownBy(() -> new TimeFormatCache(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TimeFormatCache().get(null)).isInstanceOf(NullPointerException.class);
  }
}
