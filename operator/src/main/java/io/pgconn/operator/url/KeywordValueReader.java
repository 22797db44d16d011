package io.pgconn.operator.url;

import io.pgconn.operator.url.InvalidConnectionStringException.Reason;
import io.pgconn.operator.url.RawConnectionString.Parameter;

/**
 * Reads libpq's {@code keyword=value ...} form with libpq's quoting: a value is either bare (ends
 * at whitespace) or single-quoted, and a backslash escapes the next character in both. Values are
 * not percent-decoded: libpq does not decode this form.
 */
final class KeywordValueReader {

  private final String in;
  private final int end;
  private int p;

  KeywordValueReader(String in, int start, int end) {
    this.in = in;
    this.p = start;
    this.end = end;
  }

  RawConnectionString read() throws InvalidConnectionStringException {
    RawConnectionString raw = new RawConnectionString(SourceKind.KEYWORD_VALUE);
    skipSpace();
    while (p < end) {
      int nameStart = p;
      while (p < end && in.charAt(p) != '=' && !Character.isWhitespace(in.charAt(p))) {
        p++;
      }
      String name = in.substring(nameStart, p);
      skipSpace();
      if (p >= end || in.charAt(p) != '=') {
        throw new InvalidConnectionStringException(
            Reason.MISSING_EQUALS,
            nameStart,
            "keyword without '='",
            "write keyword=value pairs separated by spaces;"
                + " quote values containing spaces as 'like this'");
      }
      if (name.isEmpty()) {
        throw new InvalidConnectionStringException(
            Reason.MALFORMED,
            nameStart,
            "'=' without a keyword before it",
            "write keyword=value pairs separated by spaces");
      }
      p++;
      skipSpace();
      int valueStart = p;
      String value = in.startsWith("'", p) ? quoted() : bare();
      PercentCodec.checkNoNul(name, nameStart);
      PercentCodec.checkNoNul(value, valueStart);
      raw.addParameter(new Parameter(name, nameStart, value, valueStart));
      skipSpace();
    }
    return raw;
  }

  private String quoted() throws InvalidConnectionStringException {
    int open = p++;
    StringBuilder value = new StringBuilder();
    while (p < end) {
      char c = in.charAt(p++);
      if (c == '\'') {
        return value.toString();
      }
      if (c == '\\' && p < end) {
        c = in.charAt(p++);
      }
      value.append(c);
    }
    throw new InvalidConnectionStringException(
        Reason.UNTERMINATED_QUOTE,
        open,
        "quoted value without a closing quote",
        "end the value with ' and write a quote inside" + " it as \\'");
  }

  private String bare() {
    StringBuilder value = new StringBuilder();
    while (p < end && !Character.isWhitespace(in.charAt(p))) {
      char c = in.charAt(p++);
      if (c == '\\' && p < end) {
        c = in.charAt(p++);
      }
      value.append(c);
    }
    return value.toString();
  }

  private void skipSpace() {
    while (p < end && Character.isWhitespace(in.charAt(p))) {
      p++;
    }
  }
}
