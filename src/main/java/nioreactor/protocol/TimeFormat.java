package nioreactor.protocol;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A compiled strftime format that renders exactly what glibc's {@code strftime} (as called by
 * CPython's {@code time.strftime(fmt, time.localtime(t))} on Linux, C locale, {@code TZ=zone})
 * renders.
 *
 * <p>Supported: every conversion of glibc in the C locale ({@code %a %A %b %B %c %C %d %D %e %F
 * %g %G %h %H %I %j %k %l %m %M %n %p %P %r %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%}),
 * the flags {@code - _ 0 ^ #}, a decimal field width and the {@code E}/{@code O} modifiers, with
 * glibc's exact (sometimes surprising) results: {@code %-10Y} pads with spaces, {@code %10z}
 * pads the sign and the digits separately, {@code %#Z} is lower case, {@code %^P} stays lower
 * case, {@code %010s} pads with zeros in front of a minus sign.
 *
 * <p>Unlike glibc, which copies a conversion it does not understand into the output, {@link
 * #compile} rejects such formats with a {@link TimeFormatException}: an unknown conversion
 * character, a modifier glibc does not accept for that conversion ({@code %Ed}, {@code %OY}),
 * a {@code %} (possibly with flags and width) at the end of the format, an embedded NUL (which
 * CPython also refuses) and a width above {@link #MAX_WIDTH}, so that no format can make the
 * server allocate without bound.
 *
 * <p>A compiled format is immutable and thread-safe; compile once, format many times.
 * {@link #formatTo(long, ZoneId, StringBuilder)} is the allocation-light variant: apart from
 * the caller's builder it allocates one small broken-down-time object per call (plus the
 * {@code Instant} java.time needs for the offset lookup and, for zones without letters, the
 * numeric {@code %Z} text).
 *
 * <p>{@code %Z} prints the tzdata abbreviation glibc prints ("CET", "EDT", "-03", "+0530",
 * "LMT"), from {@link TimeFormatZoneNames}, a table generated from the system tzdata; offsets
 * come from java.time. Known limits: a zone java.time knows but the table does not (e.g. {@code
 * SystemV/EST5}, or a fixed {@link ZoneOffset}) prints the numeric form ({@code ZoneOffset.UTC}
 * prints "UTC"); where java.time's tzdata version disagrees with the system's about an offset,
 * the output follows java.time. {@code %s} prints the instant's epoch second, whereas glibc
 * recomputes it with {@code mktime}, which for a local time that happens twice with the same
 * DST flag may pick the other occurrence (Europe/Moscow at 1414272600, 2014-10-26 01:30 +0400:
 * glibc prints 1414276200, the later 01:30 +0300; which one depends on mktime's internal guess,
 * so it cannot be reproduced).
 */
public final class TimeFormat {

  /**
   * The format an empty request means, as in the seed tutorial's server; the one definition every client, server
   * and test of the time service uses.
   */
  public static final String DEFAULT_FORMAT = "%Y-%m-%d-%X";

  /** The largest field width accepted, e.g. {@code %1024Y}; glibc allows up to INT_MAX. */
  public static final int MAX_WIDTH = 1024;

  private static final String[] DAY_ABBREVIATIONS = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  private static final String[] DAY_NAMES = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"
  };
  private static final String[] MONTH_ABBREVIATIONS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };
  private static final String[] MONTH_NAMES = {
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December"
  };
  /** Days before the first of each month (index 1..12) in a common year. */
  private static final int[] DAYS_BEFORE_MONTH = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

  /** Text case applied when copying words (glibc's to_uppcase / to_lowcase). */
  private static final int AS_IS = 0;
  private static final int UPPER = 1;
  private static final int LOWER = 2;

  /** No flag given: glibc's {@code pad == 0}. */
  private static final char NO_PAD = 0;

  // The composite conversions expand to these C-locale formats, rendered with fresh flags
  // (glibc recurses into strftime) and then padded and upper-cased as a whole.
  private static final Part[] DATE_TIME = builtIn("%a %b %e %H:%M:%S %Y"); // %c (D_T_FMT)
  private static final Part[] MONTH_DAY_YEAR = builtIn("%m/%d/%y"); // %D, %x (D_FMT)
  private static final Part[] ISO_DATE = builtIn("%Y-%m-%d"); // %F
  private static final Part[] HOUR_MINUTE = builtIn("%H:%M"); // %R
  private static final Part[] TIME_AM_PM = builtIn("%I:%M:%S %p"); // %r (T_FMT_AMPM)
  private static final Part[] TIME = builtIn("%H:%M:%S"); // %T, %X (T_FMT)

  private final String pattern;
  private final Part[] parts;
  private final int sizeHint;

  private TimeFormat(String pattern, Part[] parts, int sizeHint) {
    this.pattern = pattern;
    this.parts = parts;
    this.sizeHint = sizeHint;
  }

  /**
   * Parses {@code format} once into literal runs and conversions.
   *
   * @throws TimeFormatException for an unknown conversion, a modifier glibc rejects for the
   *     conversion, a lone {@code %} at the end, an embedded NUL or a width above {@link
   *     #MAX_WIDTH}
   */
  public static TimeFormat compile(String format) throws TimeFormatException {
    Objects.requireNonNull(format, "format");
    return new Parser(format).parse();
  }

  /** The format this was compiled from. */
  public String pattern() {
    return pattern;
  }

  /** Renders the instant (whole seconds; the fraction is dropped, as localtime does) in the zone. */
  public String format(Instant instant, ZoneId zone) {
    StringBuilder out = new StringBuilder(sizeHint);
    formatTo(instant.getEpochSecond(), zone, out);
    return out.toString();
  }

  /**
   * Appends the rendering of {@code epochSecond} in {@code zone} to {@code out}, the variant for
   * callers that reuse one builder (see the class comment for what it allocates).
   *
   * @return the number of chars appended
   * @throws DateTimeException if the epoch second is outside {@link Instant}'s range
   */
  public int formatTo(long epochSecond, ZoneId zone, StringBuilder out) {
    return formatTo(epochSecond, zone, out, Integer.MAX_VALUE);
  }

  /**
   * Like {@link #formatTo(long, ZoneId, StringBuilder)}, but gives up as soon as more than {@code
   * maxChars} chars were appended and returns -1 (what was appended stays). A server that must
   * answer within a size limit uses this: a 64 KiB format of {@code %1024c} would otherwise render
   * megabytes only to be refused.
   */
  public int formatTo(long epochSecond, ZoneId zone, StringBuilder out, int maxChars) {
    Objects.requireNonNull(zone, "zone");
    int start = out.length();
    BrokenDownTime time = new BrokenDownTime(epochSecond, zone);
    for (Part part : parts) {
      part.render(time, out);
      if (out.length() - start > maxChars) {
        return -1;
      }
    }
    return out.length() - start;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TimeFormat && ((TimeFormat) other).pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return "TimeFormat[" + pattern + "]";
  }

  private static Part[] builtIn(String format) {
    try {
      return new Parser(format).parse().parts;
    } catch (TimeFormatException e) {
      throw new AssertionError("built-in format " + format, e);
    }
  }

  /** The fields of C's {@code struct tm} for one instant, computed once per call. */
  private static final class BrokenDownTime {
    final long epochSecond;
    final ZoneId zone;
    final int offset;
    final int year;
    final int month; // 1..12
    final int day;
    final int hour;
    final int minute;
    final int second;
    final int weekday; // 0 = Sunday, as tm_wday
    final int yearDay; // 0-based, as tm_yday
    private String zoneName;

    BrokenDownTime(long epochSecond, ZoneId zone) {
      if (epochSecond < Instant.MIN.getEpochSecond() || epochSecond > Instant.MAX.getEpochSecond()) {
        throw new DateTimeException("epoch second out of range: " + epochSecond);
      }
      this.epochSecond = epochSecond;
      this.zone = zone;
      this.offset = zone instanceof ZoneOffset
          ? ((ZoneOffset) zone).getTotalSeconds()
          : zone.getRules().getOffset(Instant.ofEpochSecond(epochSecond)).getTotalSeconds();
      long local = epochSecond + offset;
      long epochDay = Math.floorDiv(local, 86_400L);
      int secondOfDay = (int) Math.floorMod(local, 86_400L);
      hour = secondOfDay / 3600;
      minute = secondOfDay / 60 % 60;
      second = secondOfDay % 60;
      weekday = (int) Math.floorMod(epochDay + 4, 7L); // 1970-01-01 was a Thursday
      // Civil date from the day count (H. Hinnant's civil_from_days), in 400-year eras.
      long shifted = epochDay + 719_468L; // days since 0000-03-01
      long era = Math.floorDiv(shifted, 146_097L);
      long dayOfEra = shifted - era * 146_097L;
      long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
      long dayOfMarchYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
      long marchMonth = (5 * dayOfMarchYear + 2) / 153;
      day = (int) (dayOfMarchYear - (153 * marchMonth + 2) / 5 + 1);
      month = (int) (marchMonth < 10 ? marchMonth + 3 : marchMonth - 9);
      year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
      yearDay = DAYS_BEFORE_MONTH[month] + day - 1 + (month > 2 && isLeap(year) ? 1 : 0);
    }

    int hour12() {
      return hour > 12 ? hour - 12 : hour == 0 ? 12 : hour;
    }

    /** The tzdata abbreviation, looked up only when a format asks for %Z. */
    String zoneName() {
      if (zoneName == null) {
        String name;
        if (zone instanceof ZoneOffset) {
          name = offset == 0 ? "UTC" : null;
        } else {
          name = TimeFormatZoneNames.lookup(zone.getId(), epochSecond, offset);
          if (name == null && offset % 60 != 0) {
            // Offsets with seconds are local mean time in tzdata; this catches zones whose
            // early history java.time and the system's tzdata tell differently (e.g. links).
            name = "LMT";
          }
        }
        zoneName = name != null ? name : numericZoneName(offset);
      }
      return zoneName;
    }
  }

  /** zic's name for a zone without letters: -03, +0530, +054508. */
  private static String numericZoneName(int offset) {
    StringBuilder name = new StringBuilder(7);
    name.append(offset < 0 ? '-' : '+');
    int seconds = Math.abs(offset);
    appendTwoDigits(name, seconds / 3600);
    if (seconds % 3600 != 0) {
      appendTwoDigits(name, seconds / 60 % 60);
      if (seconds % 60 != 0) {
        appendTwoDigits(name, seconds % 60);
      }
    }
    return name.toString();
  }

  private static void appendTwoDigits(StringBuilder out, int value) {
    out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }

  private static boolean isLeap(int year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  /**
   * glibc's iso_week_days: days from the Monday starting ISO week 1 of the year that contains
   * year-day {@code yearDay} (which may be negative, down to -366) to that day.
   */
  private static int isoWeekDays(int yearDay, int weekday) {
    int bigEnoughMultipleOf7 = (366 / 7 + 2) * 7;
    return yearDay - (yearDay - weekday + 4 + bigEnoughMultipleOf7) % 7 + 4 - 1;
  }

  /** One piece of a compiled format. */
  private abstract static class Part {
    abstract void render(BrokenDownTime time, StringBuilder out);

    /** An upper bound guess of the rendered length, to size builders. */
    abstract int sizeHint();
  }

  /** Text copied verbatim (also %n, %t and %% without a width). */
  private static final class Literal extends Part {
    private final String text;

    Literal(String text) {
      this.text = text;
    }

    @Override
    void render(BrokenDownTime time, StringBuilder out) {
      out.append(text);
    }

    @Override
    int sizeHint() {
      return text.length();
    }
  }

  /** One %-conversion with its flags and width, rendered as glibc's __strftime_internal does. */
  private static final class Conversion extends Part {
    private final char conversion;
    /** glibc's {@code pad}: the last of {@code _ - 0}, or {@link #NO_PAD}. */
    private final char pad;
    /** The field width, or -1 when none was given (glibc's default). */
    private final int width;
    /** For words: whether to change case; for composite conversions only UPPER applies. */
    private final int textCase;
    /** Expansion of a composite conversion such as %c, else null. */
    private final Part[] expansion;

    Conversion(char conversion, char pad, int width, boolean upper, boolean swapCase) {
      this.conversion = conversion;
      this.width = width;
      this.expansion = expansionOf(conversion);
      // glibc forces space padding for %e %k %l unless '0' or '-' overrides it.
      boolean spacePadded = conversion == 'e' || conversion == 'k' || conversion == 'l';
      this.pad = spacePadded && pad != '0' && pad != '-' ? '_' : pad;
      boolean toUpper = upper;
      boolean toLower = false;
      switch (conversion) {
        case 'a': case 'A': case 'b': case 'h': case 'B':
          if (swapCase) {
            toUpper = true;
          }
          break;
        case 'P':
          toLower = true; // %P is lower case even with '^': to_lowcase wins in glibc's cpy
          break;
        case 'p': case 'Z':
          if (swapCase) {
            toUpper = false;
            toLower = true;
          }
          break;
        default:
          break;
      }
      this.textCase = toLower ? LOWER : toUpper ? UPPER : AS_IS;
    }

    private static Part[] expansionOf(char conversion) {
      switch (conversion) {
        case 'c': return DATE_TIME;
        case 'D': case 'x': return MONTH_DAY_YEAR;
        case 'F': return ISO_DATE;
        case 'R': return HOUR_MINUTE;
        case 'r': return TIME_AM_PM;
        case 'T': case 'X': return TIME;
        default: return null;
      }
    }

    @Override
    int sizeHint() {
      return Math.max(width, expansion != null ? 24 : 10);
    }

    @Override
    void render(BrokenDownTime t, StringBuilder out) {
      switch (conversion) {
        case 'a': word(out, DAY_ABBREVIATIONS[t.weekday]); break;
        case 'A': word(out, DAY_NAMES[t.weekday]); break;
        case 'b': case 'h': word(out, MONTH_ABBREVIATIONS[t.month - 1]); break;
        case 'B': word(out, MONTH_NAMES[t.month - 1]); break;
        case 'p': case 'P': word(out, t.hour > 11 ? "PM" : "AM"); break;
        case 'Z': word(out, t.zoneName()); break;
        case 'n': character(out, '\n'); break;
        case 't': character(out, '\t'); break;
        case '%': character(out, '%'); break;
        case 'c': case 'D': case 'x': case 'F': case 'R': case 'r': case 'T': case 'X':
          composite(t, out);
          break;
        case 'C': number(out, t.year / 100 - (t.year % 100 < 0 ? 1 : 0), 1); break;
        case 'd': case 'e': number(out, t.day, 2); break;
        case 'H': case 'k': number(out, t.hour, 2); break;
        case 'I': case 'l': number(out, t.hour12(), 2); break;
        case 'j': number(out, t.yearDay + 1, 3); break;
        case 'M': number(out, t.minute, 2); break;
        case 'm': number(out, t.month, 2); break;
        case 'S': number(out, t.second, 2); break;
        case 's': epochSecond(out, t.epochSecond); break;
        case 'u': number(out, (t.weekday + 6) % 7 + 1, 1); break;
        case 'U': number(out, (t.yearDay - t.weekday + 7) / 7, 2); break;
        case 'W': number(out, (t.yearDay - (t.weekday + 6) % 7 + 7) / 7, 2); break;
        case 'w': number(out, t.weekday, 1); break;
        case 'y': number(out, (t.year % 100 + 100) % 100, 2); break;
        case 'Y': number(out, t.year, 1); break;
        case 'G': case 'g': case 'V': isoWeek(t, out); break;
        case 'z': offset(out, t.offset); break;
        default: throw new AssertionError("unhandled conversion " + conversion);
      }
    }

    /** glibc's {@code add}: left-pad to the width, with zeros only for the '0' flag. */
    private void padTo(StringBuilder out, int length, int fieldWidth) {
      char fill = pad == '0' ? '0' : ' ';
      for (int i = length; i < fieldWidth; i++) {
        out.append(fill);
      }
    }

    private void character(StringBuilder out, char c) {
      padTo(out, 1, width);
      out.append(c);
    }

    /** glibc's {@code cpy}: pad, then copy with the case change (ASCII, as in the C locale). */
    private void word(StringBuilder out, String text) {
      padTo(out, text.length(), width);
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (textCase == UPPER && c >= 'a' && c <= 'z') {
          c = (char) (c - 'a' + 'A');
        } else if (textCase == LOWER && c >= 'A' && c <= 'Z') {
          c = (char) (c - 'A' + 'a');
        }
        out.append(c);
      }
    }

    /** A sub-format rendered with fresh flags, then padded and upper-cased as one unit. */
    private void composite(BrokenDownTime t, StringBuilder out) {
      int start = out.length();
      for (Part part : expansion) {
        part.render(t, out);
      }
      int length = out.length() - start;
      if (width > length) {
        char fill = pad == '0' ? '0' : ' ';
        out.insert(start, String.valueOf(fill).repeat(width - length));
      }
      if (textCase == UPPER) {
        for (int i = start; i < out.length(); i++) {
          char c = out.charAt(i);
          if (c >= 'a' && c <= 'z') {
            out.setCharAt(i, (char) (c - 'a' + 'A'));
          }
        }
      }
    }

    /** glibc's DO_NUMBER: at least {@code minDigits} digits, or the width if larger. */
    private void number(StringBuilder out, long value, int minDigits) {
      signAndPadding(out, value, Math.max(minDigits, width), width);
    }

    /** %s: glibc sets digits = 1, so only the final copy pads, and before any minus sign. */
    private void epochSecond(StringBuilder out, long value) {
      signAndPadding(out, value, 1, width);
    }

    /** glibc's do_number_sign_and_padding followed by the final {@code cpy}. */
    private void signAndPadding(StringBuilder out, long value, int digits, int fieldWidth) {
      boolean negative = value < 0;
      long magnitude = Math.abs(value);
      int length = digitCount(magnitude) + (negative ? 1 : 0);
      if (pad != '-') {
        int padding = digits - length;
        if (padding > 0) {
          if (pad == '_') {
            repeat(out, ' ', padding);
            fieldWidth = fieldWidth > padding ? fieldWidth - padding : 0;
          } else {
            // Zeros go between the sign and the digits, and the width is used up.
            if (negative) {
              out.append('-');
              negative = false;
              length--;
            }
            repeat(out, '0', padding);
            fieldWidth = 0;
          }
        }
      }
      padTo(out, length, fieldWidth);
      if (negative) {
        out.append('-');
      }
      appendDigits(out, magnitude);
    }

    /** %z: the sign is added as its own padded field, then the digits as a number. */
    private void offset(StringBuilder out, int offsetSeconds) {
      character(out, offsetSeconds < 0 ? '-' : '+');
      int minutes = Math.abs(offsetSeconds) / 60;
      number(out, minutes / 60 * 100 + minutes % 60, 4);
    }

    /** %G, %g and %V, computed as glibc does from tm_yday and tm_wday. */
    private void isoWeek(BrokenDownTime t, StringBuilder out) {
      int year = t.year;
      int days = isoWeekDays(t.yearDay, t.weekday);
      if (days < 0) {
        year--; // the week belongs to the previous ISO year
        days = isoWeekDays(t.yearDay + 365 + (isLeap(year) ? 1 : 0), t.weekday);
      } else {
        int next = isoWeekDays(t.yearDay - 365 - (isLeap(year) ? 1 : 0), t.weekday);
        if (next >= 0) {
          year++; // the week belongs to the next ISO year
          days = next;
        }
      }
      switch (conversion) {
        case 'g': number(out, (year % 100 + 100) % 100, 2); break;
        case 'G': number(out, year, 1); break;
        default: number(out, days / 7 + 1, 2); break;
      }
    }
  }

  private static void repeat(StringBuilder out, char c, int count) {
    for (int i = 0; i < count; i++) {
      out.append(c);
    }
  }

  private static int digitCount(long magnitude) {
    int count = 1;
    while (magnitude >= 10) {
      magnitude /= 10;
      count++;
    }
    return count;
  }

  private static void appendDigits(StringBuilder out, long magnitude) {
    out.append(magnitude); // StringBuilder writes a long without allocating
  }

  /** Splits a format into parts, checking it the way glibc walks it. */
  private static final class Parser {
    private static final String CONVERSIONS = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%";

    private final String format;
    private final List<Part> parts = new ArrayList<>();
    private final StringBuilder literal = new StringBuilder();
    private int position;

    Parser(String format) {
      this.format = format;
    }

    TimeFormat parse() throws TimeFormatException {
      if (format.indexOf('\0') >= 0) {
        throw new TimeFormatException("embedded NUL");
      }
      while (position < format.length()) {
        char c = format.charAt(position);
        if (c == '%') {
          conversion();
        } else {
          literal.append(c);
          position++;
        }
      }
      flushLiteral();
      int sizeHint = 0;
      for (Part part : parts) {
        sizeHint += part.sizeHint();
      }
      return new TimeFormat(format, parts.toArray(new Part[0]), Math.min(sizeHint, 1 << 16));
    }

    private void conversion() throws TimeFormatException {
      int start = position++;
      char pad = NO_PAD;
      boolean upper = false;
      boolean swapCase = false;
      flags:
      while (position < format.length()) {
        switch (format.charAt(position)) {
          case '_': case '-': case '0':
            pad = format.charAt(position);
            break;
          case '^':
            upper = true;
            break;
          case '#':
            swapCase = true;
            break;
          default:
            break flags;
        }
        position++;
      }
      int width = -1;
      if (position < format.length() && isDigit(format.charAt(position))) {
        int digitsStart = position;
        long value = 0;
        while (position < format.length() && isDigit(format.charAt(position))) {
          value = Math.min(value * 10 + (format.charAt(position) - '0'), Integer.MAX_VALUE);
          position++;
        }
        if (value > MAX_WIDTH) {
          String digits = format.substring(digitsStart, position);
          throw new TimeFormatException("width "
              + (digits.length() > 24 ? digits.substring(0, 21) + "..." : digits)
              + " exceeds maximum " + MAX_WIDTH);
        }
        width = (int) value;
      }
      char modifier = 0;
      if (position < format.length()
          && (format.charAt(position) == 'E' || format.charAt(position) == 'O')) {
        modifier = format.charAt(position++);
      }
      if (position >= format.length()) {
        throw new TimeFormatException("lone % at end of format");
      }
      int conversion = format.codePointAt(position);
      position += Character.charCount(conversion);
      if (conversion > 0xFFFF || CONVERSIONS.indexOf(conversion) < 0) {
        throw new TimeFormatException("unknown conversion " + spec(start));
      }
      char c = (char) conversion;
      if (!modifierApplies(modifier, c)) {
        throw new TimeFormatException("modifier " + modifier + " not allowed in " + spec(start));
      }
      if (width < 0 && (c == 'n' || c == 't' || c == '%')) {
        // Without a width glibc just copies the character; keep it in the literal run.
        literal.append(c == 'n' ? '\n' : c == 't' ? '\t' : '%');
        return;
      }
      flushLiteral();
      parts.add(new Conversion(c, pad, width, upper, swapCase));
    }

    /** The conversion spec as written, shortened for messages. */
    private String spec(int start) {
      String text = format.substring(start, position);
      return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }

    private void flushLiteral() {
      if (literal.length() > 0) {
        parts.add(new Literal(literal.toString()));
        literal.setLength(0);
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    /** The modifier checks of glibc's strftime; anything else is its "bad_format". */
    private static boolean modifierApplies(char modifier, char conversion) {
      if (modifier == 0) {
        return true;
      }
      switch (conversion) {
        case '%': case 'a': case 'A': case 'D': case 'F':
          return false;
        case 'b': case 'h': case 'B':
        case 'd': case 'e': case 'H': case 'I': case 'k': case 'l': case 'j': case 'M': case 'm':
        case 'S': case 'U': case 'V': case 'g': case 'G': case 'W': case 'w':
          return modifier == 'O';
        case 'c': case 'x': case 'X': case 'Y':
          return modifier == 'E';
        default: // C n p P r R s t T u y Z z accept both
          return true;
      }
    }
  }
}
