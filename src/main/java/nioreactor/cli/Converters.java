package nioreactor.cli;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.reactor.SelectStrategy;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** How the command line spells durations ({@code 30s}, {@code 500ms}, {@code off}) and sizes ({@code 1MiB}). */
final class Converters {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(us|µs|ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    /** Ends the help of every duration option: {@code --idle-timeout 5} is 5 seconds, which nobody should guess. */
    static final String DURATION_SECONDS = " A number without a unit is seconds.";

    private Converters() {
    }

    /** {@code 50us}, {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}; a bare number is seconds; {@code 0} or {@code off} is zero. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("off") || v.equals("none")) {
                return Duration.ZERO;
            }
            Matcher m = DURATION.matcher(v);
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a duration (e.g. 50us, 500ms, 30s, 2m, off)");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "us", "µs" -> Duration.ofNanos(n * 1_000);
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
    }

    /** {@code 0660}, {@code 660} or {@code rw-rw----}: file permissions, as {@code rw-rw----}. */
    static final class ModeConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.trim();
            if (v.matches("0?[0-7]{3}")) {
                int mode = Integer.parseInt(v, 8);
                StringBuilder rwx = new StringBuilder();
                for (int shift = 6; shift >= 0; shift -= 3) {
                    int bits = mode >> shift;
                    rwx.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-')
                            .append((bits & 1) != 0 ? 'x' : '-');
                }
                return rwx.toString();
            }
            if (v.matches("[r-][w-][x-][r-][w-][x-][r-][w-][x-]")) {
                return v;
            }
            throw new TypeConversionException("'" + value + "' is not a file mode (e.g. 0660, 0600, rw-rw----)");
        }
    }

    /** {@code 1048576}, {@code 64KiB}, {@code 1MiB} (k and m are binary units here: 1k = 1024). */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a size (e.g. 65536, 64KiB, 1MiB)");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2);
            return switch (unit.charAt(0)) {
                case 'k' -> n * 1024;
                case 'm' -> n * 1024 * 1024;
                case 'g' -> n * 1024 * 1024 * 1024;
                default -> n;
            };
        }
    }

    /** {@code Europe/Berlin}, {@code UTC}, {@code +02:00}: whatever {@link ZoneId#of} knows. */
    static final class ZoneConverter implements ITypeConverter<ZoneId> {
        @Override
        public ZoneId convert(String value) {
            try {
                return ZoneId.of(value.strip());
            } catch (DateTimeException e) { // ZoneRulesException (unknown region) is one too
                throw new TypeConversionException("unknown time zone '" + value + "' (e.g. Europe/Berlin, UTC)");
            }
        }
    }

    static int toIntSize(long size, String option) {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " is too large: " + size);
        }
        return (int) size;
    }

    /** {@code block}, {@code spin} or {@code backoff}, in any case. */
    /** {@code --reactors}: a count of 1 or more, or {@code auto} for one per available core. */
    static final class ReactorsConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String v = value.trim();
            if (v.equalsIgnoreCase("auto")) {
                return Runtime.getRuntime().availableProcessors();
            }
            try {
                int n = Integer.parseInt(v);
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // fall through to the message
            }
            throw new TypeConversionException("'" + value + "' is not a number of reactors (1 or more, or auto)");
        }
    }

    /** {@code --accept-mode handoff|reuseport}. */
    static final class AcceptModeConverter implements ITypeConverter<nioreactor.server.AcceptMode> {
        @Override
        public nioreactor.server.AcceptMode convert(String value) {
            try {
                return nioreactor.server.AcceptMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not an accept mode (handoff or reuseport)");
            }
        }
    }

    static final class StrategyConverter implements ITypeConverter<SelectStrategy> {
        @Override
        public SelectStrategy convert(String value) {
            try {
                return SelectStrategy.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a select strategy (block, spin or backoff)");
            }
        }
    }
}
