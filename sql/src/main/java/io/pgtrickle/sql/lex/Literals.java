package io.pgtrickle.sql.lex;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The values of literal and quoted-identifier tokens, decoded as PostgreSQL decodes them.
 * Anything PostgreSQL would reject (a bad escape, an invalid byte sequence, a NUL, an unterminated
 * token) gives an empty result, so callers can leave the statement to PostgreSQL and its own error.
 */
public final class Literals {
    private Literals() {
    }

    /** The default escape character of {@code U&} strings and identifiers. */
    public static final char DEFAULT_UESCAPE = '\\';

    /**
     * The value of a string token of any kind ({@link TokenKind#isString()}). {@code uescape} is the
     * escape character for {@code U&''} (from a following {@code UESCAPE 'c'}, else {@link #DEFAULT_UESCAPE}).
     * Bit strings decode to their digits in binary ({@code X'1F'} is {@code 00011111}).
     */
    public static Optional<String> stringValue(Token token, char uescape) {
        if (token.unterminated() || !token.kind().isString()) {
            return Optional.empty();
        }
        String text = token.text();
        return switch (token.kind()) {
            case DOLLAR_STRING -> {
                int tagLength = text.indexOf('$', 1) + 1;
                yield Optional.of(text.substring(tagLength, text.length() - tagLength));
            }
            case STRING -> Optional.of(body(text, text.charAt(0) == '\'' ? 1 : 2, false)).filter(Literals::noNul);
            case ESCAPE_STRING -> decodeBackslashes(body(text, 2, true));
            case UNICODE_STRING -> decodeUnicode(body(text, 3, false), uescape);
            case BIT_STRING -> bits(body(text, 2, false), Character.toLowerCase(text.charAt(0)) == 'x');
            default -> Optional.empty();
        };
    }

    /**
     * The name an identifier token stands for: an unquoted word folded to lower case; a quoted one
     * ({@code "..."}, {@code U&"..."}) exact, with {@code ""} undoubled. Empty for an empty quoted
     * identifier or a bad escape.
     */
    public static Optional<String> identifierValue(Token token, char uescape) {
        if (token.is(TokenKind.IDENTIFIER)) {
            return Optional.of(token.folded());
        }
        if (!token.is(TokenKind.QUOTED_IDENTIFIER) || token.unterminated()) {
            return Optional.empty();
        }
        String text = token.text();
        boolean unicode = text.charAt(0) != '"';
        String body = text.substring(unicode ? 3 : 1, text.length() - 1).replace("\"\"", "\"");
        Optional<String> value = unicode ? decodeUnicode(body, uescape) : Optional.of(body);
        return value.filter(v -> !v.isEmpty() && noNul(v));
    }

    /** Whether {@code c} may follow {@code UESCAPE}: one character, not a hex digit, {@code +}, quote or space. */
    public static boolean isValidUescape(String c) {
        return c.length() == 1 && Character.digit(c.charAt(0), 16) < 0
                && "+'\"".indexOf(c.charAt(0)) < 0 && !Lexer.isSpace(c.charAt(0));
    }

    /**
     * The characters between the quotes of a (possibly continued) single-quoted token, with {@code ''}
     * undoubled. With {@code keepBackslashPairs} (E'' strings) a backslash and the character after it
     * are copied as they are, for {@link #decodeBackslashes}.
     */
    private static String body(String text, int from, boolean keepBackslashPairs) {
        StringBuilder b = new StringBuilder(text.length());
        int i = from;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (keepBackslashPairs && c == '\\' && i + 1 < n) {
                b.append(c).append(text.charAt(i + 1));
                i += 2;
            } else if (c != '\'') {
                b.append(c);
                i++;
            } else if (i + 1 < n && text.charAt(i + 1) == '\'') {
                b.append('\'');
                i += 2;
            } else {
                i = text.indexOf('\'', skipContinuation(text, i + 1));
                if (i < 0) {
                    break;
                }
                i++;
            }
        }
        return b.toString();
    }

    /** Skips the whitespace and {@code --} comments between a closing quote and a continuation. */
    private static int skipContinuation(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) != '\'') {
            if (text.startsWith("--", i)) {
                while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    i++;
                }
            } else {
                i++;
            }
        }
        return i;
    }

    private static Optional<String> decodeBackslashes(String body) {
        Utf8 out = new Utf8();
        int i = 0;
        int n = body.length();
        while (i < n) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= n) {
                i = out.copyCodePoint(body, i);
                continue;
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'b' -> out.codePoint('\b');
                case 'f' -> out.codePoint('\f');
                case 'n' -> out.codePoint('\n');
                case 'r' -> out.codePoint('\r');
                case 't' -> out.codePoint('\t');
                case 'x' -> {
                    int end = hexEnd(body, i, 2);
                    if (end == i) {
                        out.codePoint('x');
                    } else {
                        out.rawByte(Integer.parseInt(body.substring(i, end), 16));
                        i = end;
                    }
                }
                case 'u', 'U' -> {
                    int len = e == 'u' ? 4 : 8;
                    if (hexEnd(body, i, len) != i + len) {
                        return Optional.empty();
                    }
                    out.escapedCodePoint(Long.parseLong(body.substring(i, i + len), 16));
                    i += len;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < n && end < i + 2 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
                            end++;
                        }
                        out.rawByte(Integer.parseInt(body.substring(i - 1, end), 8) & 0xFF);
                        i = end;
                    } else {
                        i = out.copyCodePoint(body, i - 1);
                    }
                }
            }
        }
        return out.result();
    }

    private static Optional<String> decodeUnicode(String body, char escape) {
        Utf8 out = new Utf8();
        int i = 0;
        int n = body.length();
        while (i < n) {
            if (body.charAt(i) != escape) {
                i = out.copyCodePoint(body, i);
            } else if (i + 1 < n && body.charAt(i + 1) == escape) {
                out.codePoint(escape);
                i += 2;
            } else {
                boolean plus = i + 1 < n && body.charAt(i + 1) == '+';
                int from = i + (plus ? 2 : 1);
                int len = plus ? 6 : 4;
                if (hexEnd(body, from, len) != from + len) {
                    return Optional.empty();
                }
                out.escapedCodePoint(Long.parseLong(body.substring(from, from + len), 16));
                i = from + len;
            }
        }
        return out.result();
    }

    private static Optional<String> bits(String body, boolean hex) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (hex) {
                if (!isAsciiHex(c)) {
                    return Optional.empty();
                }
                String bin = Integer.toBinaryString(Character.digit(c, 16));
                b.append("0000", bin.length(), 4).append(bin);
            } else if (c == '0' || c == '1') {
                b.append(c);
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(b.toString());
    }

    /** End of the run of at most {@code max} hex digits starting at {@code from}. */
    private static int hexEnd(String s, int from, int max) {
        int i = from;
        while (i < s.length() && i < from + max && isAsciiHex(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isAsciiHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static boolean noNul(String s) {
        return s.indexOf('\0') < 0;
    }

    /** Bytes of the decoded value: characters as UTF-8, raw bytes from {@code \x} and octal escapes. */
    private static final class Utf8 {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int pendingHigh = -1;
        private boolean invalid;

        int copyCodePoint(String s, int i) {
            int cp = s.codePointAt(i);
            if (Character.isSurrogate((char) cp) && Character.charCount(cp) == 1) {
                invalid = true;
            }
            codePoint(cp);
            return i + Character.charCount(cp);
        }

        void codePoint(int cp) {
            if (pendingHigh >= 0) {
                invalid = true;
            }
            byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            bytes.write(b, 0, b.length);
        }

        /** A code point from {@code \\uXXXX} and friends: surrogate pairs combine, as in PostgreSQL. */
        void escapedCodePoint(long value) {
            if (value == 0 || value > Character.MAX_CODE_POINT) {
                invalid = true;
                return;
            }
            int cp = (int) value;
            if (Character.isHighSurrogate((char) cp) && cp <= 0xFFFF) {
                if (pendingHigh >= 0) {
                    invalid = true;
                }
                pendingHigh = cp;
                return;
            }
            if (Character.isLowSurrogate((char) cp) && cp <= 0xFFFF) {
                if (pendingHigh < 0) {
                    invalid = true;
                    return;
                }
                cp = Character.toCodePoint((char) pendingHigh, (char) cp);
                pendingHigh = -1;
            }
            codePoint(cp);
        }

        void rawByte(int b) {
            if (pendingHigh >= 0 || b == 0) {
                invalid = true;
            }
            bytes.write(b);
        }

        Optional<String> result() {
            if (invalid || pendingHigh >= 0) {
                return Optional.empty();
            }
            try {
                String s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
                return Optional.of(s).filter(Literals::noNul);
            } catch (CharacterCodingException e) {
                return Optional.empty();
            }
        }
    }
}
