package nioreactor.metrics;

/**
 * The little JSON the dashboard needs, written by hand: strings escaped per RFC 8259, numbers and booleans as they
 * are. Not a general library; pure functions.
 */
final class Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /** Appends {@code s} as a JSON string (null as {@code null}). */
    static StringBuilder string(StringBuilder sb, String s) {
        if (s == null) {
            return sb.append("null");
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // Control characters must be escaped; so are U+2028/2029 and '<', so the text is also safe
                    // inside a <script> or an HTML attribute if the page ever puts it there.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || c == '<' || c == '>' || c == '&') {
                        sb.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /** {@code "name":} with the name escaped. */
    static StringBuilder key(StringBuilder sb, String name) {
        return string(sb, name).append(':');
    }
}
