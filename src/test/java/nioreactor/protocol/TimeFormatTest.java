package nioreactor.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TimeFormat against glibc: every row of {@code strftime/expected.tsv} (written by
 * src/test/python/gen_strftime.py from CPython's time.strftime) must render identically.
 */
class TimeFormatTest {

  private static final String TABLE = "/strftime/expected.tsv";

  /**
   * gen_strftime.py writes rows only for zones Java 17 knows (the system tzdata has more: EST, ROC, Factory, zones
   * newer than the JDK), so every row runs: a zone missing here fails its row instead of skipping it.
   */
  private static final Set<String> JAVA_ZONES = Set.copyOf(ZoneId.getAvailableZoneIds());

  /** One expected rendering; toString keeps the test names readable. */
  record Row(int line, String zone, long epochSecond, String format, String expected) {
    @Override
    public String toString() {
      return "line " + line + ": " + zone + " " + epochSecond + " \"" + escape(format) + "\"";
    }
  }

  static Stream<Row> glibcRows() {
    List<Row> rows = new ArrayList<>();
    try (InputStream in = TimeFormatTest.class.getResourceAsStream(TABLE)) {
      assertThat(in).as(TABLE + " on the test classpath").isNotNull();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8));
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\t", -1);
        assertThat(fields).as("line %d has four fields", number).hasSize(4);
        rows.add(new Row(number, fields[0], Long.parseLong(fields[1]),
            unescape(fields[2]), unescape(fields[3])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(rows).hasSizeGreaterThan(10_000);
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("glibcRows")
  void rendersLikeGlibc(Row row) throws TimeFormatException {
    assertThat(JAVA_ZONES).as("zone known to java.time").contains(row.zone());
    TimeFormat format = TimeFormat.compile(row.format());

    String rendered = format.format(Instant.ofEpochSecond(row.epochSecond()), ZoneId.of(row.zone()));

    assertThat(rendered).as(row.toString()).isEqualTo(row.expected());
  }

  @Test
  void formatToAppendsAndCountsTheChars() throws TimeFormatException {
    TimeFormat format = TimeFormat.compile("%Y-%m-%d-%X");
    StringBuilder out = new StringBuilder("time=");

    int appended = format.formatTo(1_700_000_000L, ZoneId.of("Europe/Berlin"), out);

    assertThat(out).hasToString("time=2023-11-14-23:13:20");
    assertThat(appended).isEqualTo(19);
  }

  @Test
  void dropsTheFractionOfASecondAsLocaltimeDoes() throws TimeFormatException {
    TimeFormat format = TimeFormat.compile("%T %s");

    assertThat(format.format(Instant.ofEpochSecond(59, 999_999_999), ZoneOffset.UTC))
        .isEqualTo("00:00:59 59");
    assertThat(format.format(Instant.ofEpochSecond(-1, 500_000_000), ZoneOffset.UTC))
        .isEqualTo("23:59:59 -1");
  }

  @ParameterizedTest(name = "{0} at {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "Europe/Berlin       | 1736942400 | CET +0100",
      "Europe/Berlin       | 1752580800 | CEST +0200",
      "America/New_York    | 1736942400 | EST -0500",
      "America/New_York    | 1752580800 | EDT -0400",
      "US/Eastern          | 1752580800 | EDT -0400",
      "Asia/Kolkata        | 1752580800 | IST +0530",
      "America/Sao_Paulo   | 1752580800 | -03 -0300",
      "Australia/Lord_Howe | 1736942400 | +11 +1100",
      "Australia/Lord_Howe | 1752580800 | +1030 +1030",
      "Pacific/Chatham     | 1736942400 | +1345 +1345",
      "Pacific/Chatham     | 1752580800 | +1245 +1245",
      "Europe/Dublin       | 1736942400 | GMT +0000",
      "Europe/Dublin       | 1752580800 | IST +0100",
      "UTC                 | 1752580800 | UTC +0000",
      "Etc/GMT+5           | 1752580800 | -05 -0500",
      "Europe/Berlin       | -3786825600 | LMT +0053",
      "America/New_York    | -880000000 | EWT -0400",
  })
  void zoneNamesAreTheTzdataAbbreviations(String zone, long epochSecond, String expected)
      throws TimeFormatException {
    assertThat(TimeFormat.compile("%Z %z").format(Instant.ofEpochSecond(epochSecond), ZoneId.of(zone)))
        .isEqualTo(expected);
  }

  @Test
  void epochSecondIsTheInstantItselfEvenWhereGlibcsMktimePicksTheOtherOccurrence()
      throws TimeFormatException {
    // 2014-10-26 01:30 happened twice in Moscow (+0400, then +0300), both without DST; glibc's
    // %s goes through mktime and prints 1414276200 for the first one. We print the instant.
    TimeFormat format = TimeFormat.compile("%F %T %z %s");

    assertThat(format.format(Instant.ofEpochSecond(1_414_272_600L), ZoneId.of("Europe/Moscow")))
        .isEqualTo("2014-10-26 01:30:00 +0400 1414272600");
  }

  @Test
  void fixedOffsetsHaveNumericNamesExceptUtc() throws TimeFormatException {
    TimeFormat format = TimeFormat.compile("%Z|%z");
    Instant now = Instant.ofEpochSecond(1_752_580_800L);

    assertThat(format.format(now, ZoneOffset.UTC)).isEqualTo("UTC|+0000");
    assertThat(format.format(now, ZoneOffset.ofHoursMinutes(5, 30))).isEqualTo("+0530|+0530");
    assertThat(format.format(now, ZoneOffset.ofHours(-3))).isEqualTo("-03|-0300");
    assertThat(format.format(now, ZoneOffset.ofHoursMinutesSeconds(1, 2, 3))).isEqualTo("+010203|+0102");
  }

  @ParameterizedTest(name = "\"{0}\" -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "%Q              | unknown conversion %Q",
      "abc %-5Q        | unknown conversion %-5Q",
      "%+Y             | unknown conversion %+",
      "%10_Y           | unknown conversion %10_",
      "%               | lone % at end of format",
      "abc%            | lone % at end of format",
      "%-^#            | lone % at end of format",
      "%_12            | lone % at end of format",
      "%E              | lone % at end of format",
      "%Ed             | modifier E not allowed in %Ed",
      "%OY             | modifier O not allowed in %OY",
      "%E%             | modifier E not allowed in %E%",
      "%Oa             | modifier O not allowed in %Oa",
      "%EOd            | unknown conversion %EO",
      "%1025Y          | width 1025 exceeds maximum 1024",
      "%99999999999999999999d | width 99999999999999999999 exceeds maximum 1024",
      "%0000000000000000000000000000000000001025d | width 1025 exceeds maximum 1024",
  })
  void rejectsWhatGlibcWouldEchoOrCannotBound(String format, String reason) {
    assertThatThrownBy(() -> TimeFormat.compile(format))
        .isInstanceOf(TimeFormatException.class)
        .hasMessage(reason)
        .extracting(e -> ((TimeFormatException) e).reason())
        .isEqualTo(reason);
  }

  @Test
  void rejectsEmbeddedNulAsCpythonDoes() {
    assertThatThrownBy(() -> TimeFormat.compile("%Y\0%m"))
        .isInstanceOf(TimeFormatException.class)
        .hasMessage("embedded NUL");
  }

  @Test
  void namesANonBmpConversionCharacterWhole() {
    assertThatThrownBy(() -> TimeFormat.compile("%\uD83D\uDE00"))
        .hasMessage("unknown conversion %\uD83D\uDE00");
  }

  @Test
  void acceptsTheMaximumWidth() throws TimeFormatException {
    String rendered = TimeFormat.compile("%_1024Y").format(Instant.EPOCH, ZoneOffset.UTC);

    assertThat(rendered).hasSize(TimeFormat.MAX_WIDTH).endsWith(" 1970");
  }

  @Test
  void rejectsInstantsOutsideJavaTimesRange() throws TimeFormatException {
    TimeFormat format = TimeFormat.compile("%Y");

    assertThatThrownBy(() -> format.formatTo(Long.MAX_VALUE, ZoneOffset.UTC, new StringBuilder()))
        .isInstanceOf(DateTimeException.class);
    assertThat(format.format(Instant.MAX, ZoneOffset.UTC)).isEqualTo("1000000000");
    assertThat(format.format(Instant.MIN, ZoneId.of("Europe/Berlin"))).isEqualTo("-1000000000");
  }

  @Test
  void keepsThePatternAndComparesByIt() throws TimeFormatException {
    TimeFormat a = TimeFormat.compile("%F");
    TimeFormat b = TimeFormat.compile("%F");

    assertThat(a.pattern()).isEqualTo("%F");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(TimeFormat.compile("%D"));
    assertThat(a).hasToString("TimeFormat[%F]");
  }

  @Test
  void oneCompiledFormatServesManyThreads() throws Exception {
    TimeFormat format = TimeFormat.compile("%c %Z %z %s %G-W%V-%u");
    ZoneId[] zones = {ZoneId.of("Europe/Berlin"), ZoneId.of("Pacific/Chatham"), ZoneOffset.UTC};
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      expected.add(format.format(Instant.ofEpochSecond(1_600_000_000L + i * 86_399L), zones[i % 3]));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        results.add(pool.submit(() -> {
          List<String> mine = new ArrayList<>();
          for (int i = 0; i < 300; i++) {
            mine.add(format.format(Instant.ofEpochSecond(1_600_000_000L + i * 86_399L), zones[i % 3]));
          }
          return mine;
        }));
      }
      for (Future<List<String>> result : results) {
        assertThat(result.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void nullsAreRejected() throws TimeFormatException {
    TimeFormat format = TimeFormat.compile("%Y");

    assertThatThrownBy(() -> TimeFormat.compile(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> format.format(Instant.EPOCH, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> format.format(null, ZoneOffset.UTC)).isInstanceOf(NullPointerException.class);
  }

  /** The table writes a backslash, tab, newline and carriage return as \\ \t \n \r. */
  static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char next = field.charAt(++i);
      switch (next) {
        case 't': out.append('\t'); break;
        case 'n': out.append('\n'); break;
        case 'r': out.append('\r'); break;
        case '\\': out.append('\\'); break;
        default: throw new IllegalArgumentException("bad escape \\" + next + " in " + field);
      }
    }
    return out.toString();
  }

  static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }

  @Test
  void boundedRenderingStopsSoonAfterTheLimit() throws TimeFormatException {
    // 64 conversions of 1024 chars each would be 64 Ki chars; with a limit of 4096 it must stop after the fifth.
    TimeFormat hostile = TimeFormat.compile("%1024c".repeat(64));
    StringBuilder out = new StringBuilder();
    assertThat(hostile.formatTo(0, ZoneOffset.UTC, out, 4096)).isEqualTo(-1);
    assertThat(out.length()).isEqualTo(5 * 1024);

    StringBuilder fits = new StringBuilder("prefix:");
    assertThat(TimeFormat.compile("%Y").formatTo(0, ZoneOffset.UTC, fits, 4)).isEqualTo(4);
    assertThat(fits.toString()).isEqualTo("prefix:1970");
  }
}
