package nioreactor.kv;

/**
 * Redis's glob patterns ({@code stringmatchlen}), as CONFIG GET takes them: {@code *}, {@code ?}, {@code [abc]},
 * {@code [^a-z]} and {@code \} to escape, case-insensitive as CONFIG matches names.
 */
final class Glob {
    private Glob() {
    }

    static boolean matches(String pattern, String text) {
        return match(pattern.toLowerCase(java.util.Locale.ROOT), 0, text.toLowerCase(java.util.Locale.ROOT), 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    while (pi + 1 < p.length() && p.charAt(pi + 1) == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length()) {
                        return true;
                    }
                    for (int k = si; k <= s.length(); k++) {
                        if (match(p, pi + 1, s, k)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    si++;
                }
                case '[' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    int i = pi + 1;
                    boolean not = i < p.length() && p.charAt(i) == '^';
                    if (not) {
                        i++;
                    }
                    boolean hit = false;
                    char t = s.charAt(si);
                    while (i < p.length() && p.charAt(i) != ']') {
                        if (p.charAt(i) == '\\' && i + 1 < p.length()) {
                            i++;
                            hit |= p.charAt(i) == t;
                        } else if (i + 2 < p.length() && p.charAt(i + 1) == '-') {
                            char lo = (char) Math.min(p.charAt(i), p.charAt(i + 2));
                            char hi = (char) Math.max(p.charAt(i), p.charAt(i + 2));
                            hit |= t >= lo && t <= hi;
                            i += 2;
                        } else {
                            hit |= p.charAt(i) == t;
                        }
                        i++;
                    }
                    if (hit == not) {
                        return false;
                    }
                    pi = i; // on the ']' (or past the end of an unclosed class)
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length()) {
                        pi++;
                    }
                    if (si >= s.length() || p.charAt(pi) != s.charAt(si)) {
                        return false;
                    }
                    si++;
                }
                default -> {
                    if (si >= s.length() || c != s.charAt(si)) {
                        return false;
                    }
                    si++;
                }
            }
            pi++;
        }
        return si == s.length();
    }
}
