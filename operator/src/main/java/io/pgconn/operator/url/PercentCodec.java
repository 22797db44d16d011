package io.pgconn.operator.url;

import io.pgconn.operator.url.InvalidConnectionStringException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-decoding that reports positions instead of throwing IllegalArgumentException (as
 * URLDecoder does), and one encoder that every client we write for decodes the same way.
 */
final class PercentCodec {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PercentCodec() {}

  /**
   * @param raw the text as written
   * @param rawPosition where {@code raw} starts in the whole input, for error positions
   * @param plusIsSpace pgjdbc decodes with URLDecoder, so '+' means space in JDBC URLs only
   */
  static String decode(String raw, int rawPosition, boolean plusIsSpace)
      throws InvalidConnectionStringException {
    // A UTF-16 char never needs more than 3 UTF-8 bytes (a surrogate pair: 4 for 2 chars).
    byte[] bytes = new byte[raw.length() * 3];
    int length = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new InvalidConnectionStringException(
              Reason.BAD_PERCENT_ENCODING,
              rawPosition + i,
              "'%' not followed by two hex digits",
              "write a literal '%' as %25 and percent-encode special characters in user, password"
                  + " and database (e.g. '@' as %40)");
        }
        int b = hi * 16 + lo;
        if (b == 0) {
          throw nul(rawPosition + i);
        }
        bytes[length++] = (byte) b;
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes[length++] = ' ';
      } else if (c == 0) {
        throw nul(rawPosition + i);
      } else if (c < 0x80) {
        bytes[length++] = (byte) c;
      } else {
        // Non-ASCII written raw: keep it as its UTF-8 bytes so mixed raw/encoded text decodes
        // whole.
        int end = i + 1;
        if (Character.isHighSurrogate(c)
            && end < raw.length()
            && Character.isLowSurrogate(raw.charAt(end))) {
          end++;
        } else if (Character.isSurrogate(c)) {
          // getBytes would silently turn it into '?', changing the value.
          throw new InvalidConnectionStringException(
              Reason.BAD_PERCENT_ENCODING,
              rawPosition + i,
              "invalid character (unpaired UTF-16 surrogate)",
              "re-copy the value as UTF-8 text");
        }
        byte[] utf8 = raw.substring(i, end).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(utf8, 0, bytes, length, utf8.length);
        length += utf8.length;
        i = end - 1;
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidConnectionStringException(
          Reason.BAD_PERCENT_ENCODING,
          rawPosition,
          "percent-encoded bytes are not valid UTF-8",
          "encode non-ASCII characters as the %XX of their UTF-8 bytes");
    }
  }

  static void checkNoNul(String raw, int rawPosition) throws InvalidConnectionStringException {
    int nul = raw.indexOf('\0');
    if (nul >= 0) {
      throw nul(rawPosition + nul);
    }
  }

  private static InvalidConnectionStringException nul(int position) {
    return new InvalidConnectionStringException(
        Reason.NUL_CHARACTER,
        position,
        "NUL character (%00)",
        "libpq ends strings at NUL, so no PostgreSQL client can use it; remove it");
  }

  /**
   * Encodes everything but RFC 3986 unreserved characters. Stricter than any client needs, which is
   * the point: '+' becomes %2B (pgjdbc and Prisma's query parser read '+' as space), and '@', ':',
   * '/', '?', '#', '&', '=', ',' can never be mistaken for structure.
   */
  static String encode(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return out.toString();
  }
}
