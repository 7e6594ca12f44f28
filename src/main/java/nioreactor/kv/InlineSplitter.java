package nioreactor.kv;

/**
 * Splits an inline command line into arguments as Redis's {@code sdssplitargs} does: words separated by blanks,
 * {@code "double quotes"} with C escapes ({@code \n \r \t \b \a \\ \" \xHH}), {@code 'single quotes'} with only
 * {@code \'}; a closing quote must be followed by a blank or the end of the line. The decoded arguments are written
 * back over the line itself (decoding never lengthens), so nothing is allocated. A NUL byte ends the line, as it
 * ends Redis's C string.
 */
final class InlineSplitter {
    private InlineSplitter() {
    }

    /**
     * Splits {@code buf[base, lineEnd)} and hands each argument to {@code parser}, relative to {@code base}.
     *
     * @return false on unbalanced quotes
     */
    static boolean split(byte[] buf, int base, int lineEnd, RespParser parser) {
        int end = base;
        while (end < lineEnd && buf[end] != 0) {
            end++;
        }
        int p = base;
        int w = base;
        while (true) {
            while (p < end && isSpace(buf[p])) {
                p++;
            }
            if (p >= end) {
                return true;
            }
            int start = w;
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                if (inDouble) {
                    if (p >= end) {
                        return false;
                    }
                    byte c = buf[p];
                    if (c == '\\' && p + 3 < end && buf[p + 1] == 'x' && isHex(buf[p + 2]) && isHex(buf[p + 3])) {
                        buf[w++] = (byte) (hex(buf[p + 2]) * 16 + hex(buf[p + 3]));
                        p += 3;
                    } else if (c == '\\' && p + 1 < end) {
                        p++;
                        buf[w++] = switch (buf[p]) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> buf[p];
                        };
                    } else if (c == '"') {
                        if (p + 1 < end && !isSpace(buf[p + 1])) {
                            return false;
                        }
                        done = true;
                    } else {
                        buf[w++] = c;
                    }
                } else if (inSingle) {
                    if (p >= end) {
                        return false;
                    }
                    byte c = buf[p];
                    if (c == '\\' && p + 1 < end && buf[p + 1] == '\'') {
                        p++;
                        buf[w++] = '\'';
                    } else if (c == '\'') {
                        if (p + 1 < end && !isSpace(buf[p + 1])) {
                            return false;
                        }
                        done = true;
                    } else {
                        buf[w++] = c;
                    }
                } else {
                    if (p >= end) {
                        done = true;
                    } else {
                        byte c = buf[p];
                        switch (c) {
                            case ' ', '\n', '\r', '\t' -> done = true;
                            case '"' -> inDouble = true;
                            case '\'' -> inSingle = true;
                            default -> buf[w++] = c;
                        }
                    }
                }
                if (p < end) {
                    p++;
                }
            }
            parser.addArg(start - base, w - start);
        }
    }

    /** C's isspace: the blanks Redis skips between words. */
    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }
}
