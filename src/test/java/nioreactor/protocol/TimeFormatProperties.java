package nioreactor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Whatever a client sends as a format, compile either refuses it with a reason or returns a
 * format that renders at any instant in any zone without throwing, within a bounded size.
 */
class TimeFormatProperties {

  private static final List<Instant> INSTANTS = List.of(
      Instant.EPOCH,
      Instant.ofEpochSecond(-17_283_601L), // 1969
      Instant.ofEpochSecond(1_700_000_000L),
      Instant.parse("2024-02-29T23:59:59Z"),
      Instant.parse("2026-12-31T12:00:00Z"),
      Instant.parse("2100-03-01T00:00:00Z"),
      Instant.parse("1850-06-01T12:00:00Z"),
      Instant.MIN,
      Instant.MAX);

  private static final List<ZoneId> ZONES = List.of(
      ZoneOffset.UTC,
      ZoneOffset.ofHoursMinutesSeconds(-3, -25, -7),
      ZoneId.of("UTC"),
      ZoneId.of("Europe/Berlin"),
      ZoneId.of("America/New_York"),
      ZoneId.of("Asia/Kolkata"),
      ZoneId.of("Australia/Lord_Howe"),
      ZoneId.of("Pacific/Chatham"),
      ZoneId.of("America/Sao_Paulo"),
      ZoneId.of("SystemV/AST4")); // known to java.time but not to the tzdata table

  private static final String CONVERSIONS = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%";

  @Property(tries = 1500)
  void anyStringIsRejectedOrRendersEverywhere(@ForAll String format) {
    assertRejectedOrRendersEverywhere(format);
  }

  @Property(tries = 3000)
  void conversionSoupIsRejectedOrRendersEverywhere(@ForAll("conversionSoup") String format) {
    assertRejectedOrRendersEverywhere(format);
  }

  /** Literal bits, lone percents and %-specs with random flags, widths, modifiers and chars. */
  @Provide
  Arbitrary<String> conversionSoup() {
    Arbitrary<String> flags = Arbitraries.strings().withChars("_-0^#").ofMaxLength(4);
    Arbitrary<String> width = Arbitraries.oneOf(
        Arbitraries.just(""),
        Arbitraries.integers().between(0, 40).map(String::valueOf),
        Arbitraries.integers().between(1000, 1100).map(String::valueOf),
        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(25));
    Arbitrary<String> modifier = Arbitraries.of("", "", "", "E", "O");
    Arbitrary<String> conversion = Arbitraries.oneOf(
        Arbitraries.of(CONVERSIONS.chars().mapToObj(c -> String.valueOf((char) c)).toArray(String[]::new)),
        Arbitraries.chars().map(String::valueOf),
        Arbitraries.just(""));
    Arbitrary<String> spec = Combinators.combine(flags, width, modifier, conversion)
        .as((f, w, m, c) -> "%" + f + w + m + c);
    Arbitrary<String> literal = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(4),
        Arbitraries.of("%", "%%", "\t", "\n", "\0", "\uD83D\uDE00"));
    return Arbitraries.frequencyOf(
            Tuple.of(4, spec),
            Tuple.of(1, literal))
        .list().ofMaxSize(8)
        .map(parts -> String.join("", parts));
  }

  private static void assertRejectedOrRendersEverywhere(String format) {
    TimeFormat compiled;
    try {
      compiled = TimeFormat.compile(format);
    } catch (TimeFormatException e) {
      assertThat(e.reason()).isNotBlank().hasSizeLessThan(120);
      return;
    }
    // Every conversion takes at least two chars of the format and renders at most two padded
    // fields (%z) plus its natural text, so this bounds what a format can make us allocate.
    long bound = (long) format.length() * (2L * TimeFormat.MAX_WIDTH + 32);
    for (ZoneId zone : ZONES) {
      for (Instant instant : INSTANTS) {
        String rendered = compiled.format(instant, zone);
        assertThat((long) rendered.length()).isLessThanOrEqualTo(bound);

        StringBuilder out = new StringBuilder("prefix");
        int appended = compiled.formatTo(instant.getEpochSecond(), zone, out);
        assertThat(out.substring("prefix".length())).isEqualTo(rendered);
        assertThat(appended).isEqualTo(rendered.length());
      }
    }
  }
}
