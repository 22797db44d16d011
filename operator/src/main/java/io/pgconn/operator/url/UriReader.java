package io.pgconn.operator.url;

import io.pgconn.operator.url.InvalidConnectionStringException.Reason;
import io.pgconn.operator.url.RawConnectionString.Located;
import io.pgconn.operator.url.RawConnectionString.Parameter;

/**
 * Reads libpq URIs and pgjdbc URLs, which share {@code //[userinfo@]hosts[/db][?query]}. Splitting
 * happens on the raw text and decoding afterwards, as libpq does, so an encoded separator (%40,
 * %2C, %3A, %26) is always data.
 */
final class UriReader {

  private final String in;
  private final int end;
  private final boolean jdbc;
  private final RawConnectionString raw;

  /**
   * @param in the whole input (positions are indexes into it)
   * @param start index just after the scheme's "://" (or after "jdbc:postgresql:" for JDBC)
   * @param end exclusive end, trailing whitespace already excluded
   */
  UriReader(String in, int start, int end, SourceKind kind) {
    this.in = in;
    this.end = end;
    this.jdbc = kind == SourceKind.JDBC;
    this.raw = new RawConnectionString(kind);
    this.start = start;
  }

  private final int start;

  RawConnectionString read() throws InvalidConnectionStringException {
    int p = start;
    boolean hasAuthority = in.startsWith("//", p);
    if (hasAuthority) {
      p = readAuthority(p + 2);
    } else if (!jdbc) {
      throw new InvalidConnectionStringException(
          Reason.MALFORMED, p, "'//' missing after the scheme", "write postgresql://host/database");
    }
    // JDBC without '//' is pgjdbc's "jdbc:postgresql:database" form.
    int query = indexOf('?', p);
    int pathEnd = query < 0 ? end : query;
    if (p < pathEnd) {
      int dbStart = in.charAt(p) == '/' ? p + 1 : p;
      if (hasAuthority && in.charAt(p) != '/') {
        throw new InvalidConnectionStringException(
            Reason.MALFORMED,
            p,
            "unexpected text after the host list",
            "separate the database with '/'");
      }
      if (dbStart < pathEnd) {
        raw.database = PercentCodec.decode(in.substring(dbStart, pathEnd), dbStart, jdbc);
        raw.databasePosition = dbStart;
      }
    }
    if (query >= 0) {
      readQuery(query + 1);
    }
    return raw;
  }

  /**
   * @return index just after the authority
   */
  private int readAuthority(int p) throws InvalidConnectionStringException {
    int slash = indexOf('/', p);
    int limit = slash < 0 ? end : slash;
    // The last '@' before the path: an unencoded '@' in a password is a common paste mistake,
    // and the host part can never contain '@', so taking the last one reads what was meant.
    int at = in.lastIndexOf('@', limit - 1);
    if (at < p && slash > p && !jdbc) {
      refuseLeadingSlashPassword(p, slash);
    }
    if (at >= p) {
      readUserInfo(p, at);
      p = at + 1;
    }
    int hostsEnd = p;
    while (hostsEnd < end && in.charAt(hostsEnd) != '/' && in.charAt(hostsEnd) != '?') {
      hostsEnd++;
    }
    readHosts(p, hostsEnd);
    return hostsEnd;
  }

  /**
   * libpq looks for the user info's '@' only up to the first '/', so in
   * "postgresql://user:/secret@host/db" it reads host "user", an empty port and the database
   * "secret@host/db": the password ends up in the database name, where status and doctor show it.
   * We read it the same way, and refuse it, since no one means that.
   */
  private void refuseLeadingSlashPassword(int p, int slash)
      throws InvalidConnectionStringException {
    int query = indexOf('?', slash);
    boolean atInPath = indexOf('@', slash, query < 0 ? end : query) >= 0;
    if (atInPath && in.charAt(slash - 1) == ':') {
      throw new InvalidConnectionStringException(
          Reason.MALFORMED,
          slash,
          "the password seems to start with '/', which ends the host list: libpq would read the"
              + " user name as the host and the password as part of the database name",
          "percent-encode the '/' in the password as %2F (and any '@' as %40)");
    }
  }

  private void readUserInfo(int from, int to) throws InvalidConnectionStringException {
    int colon = indexOf(':', from, to);
    int userEnd = colon < 0 ? to : colon;
    if (userEnd > from) {
      raw.user = PercentCodec.decode(in.substring(from, userEnd), from, false);
      raw.userPosition = from;
    }
    if (colon >= 0) {
      raw.password = PercentCodec.decode(in.substring(colon + 1, to), colon + 1, false);
    }
  }

  private void readHosts(int from, int to) throws InvalidConnectionStringException {
    if (from == to) {
      return;
    }
    int p = from;
    while (true) {
      int itemEnd = p;
      if (itemEnd < to && in.charAt(itemEnd) == '[') {
        int close = indexOf(']', itemEnd, to);
        if (close < 0) {
          throw new InvalidConnectionStringException(
              Reason.BAD_IPV6,
              itemEnd,
              "'[' without a closing ']'",
              "write IPv6 addresses as [2001:db8::1]:5432");
        }
        itemEnd = close + 1;
      }
      while (itemEnd < to && in.charAt(itemEnd) != ',') {
        itemEnd++;
      }
      readHost(p, itemEnd);
      if (itemEnd >= to) {
        break;
      }
      p = itemEnd + 1;
    }
  }

  private void readHost(int from, int to) throws InvalidConnectionStringException {
    int portColon;
    int hostStart = from;
    int hostEnd;
    if (from < to && in.charAt(from) == '[') {
      int close = indexOf(']', from, to);
      hostStart = from + 1;
      hostEnd = close;
      if (close + 1 < to && in.charAt(close + 1) != ':') {
        throw new InvalidConnectionStringException(
            Reason.BAD_IPV6,
            close + 1,
            "unexpected text after ']'",
            "only ':port' may follow a bracketed IPv6 address");
      }
      portColon = close + 1 < to ? close + 1 : -1;
    } else {
      portColon = indexOf(':', from, to);
      if (portColon >= 0 && indexOf(':', portColon + 1, to) >= 0) {
        throw new InvalidConnectionStringException(
            Reason.BAD_IPV6,
            from,
            "IPv6 address without brackets",
            "write IPv6 addresses as [2001:db8::1]:5432");
      }
      hostEnd = portColon < 0 ? to : portColon;
    }
    String host = PercentCodec.decode(in.substring(hostStart, hostEnd), hostStart, false);
    raw.hosts.add(new Located(host, hostStart));
    String port = portColon < 0 ? "" : in.substring(portColon + 1, to);
    raw.ports.add(new Located(port, portColon < 0 ? to : portColon + 1));
  }

  private void readQuery(int from) throws InvalidConnectionStringException {
    int p = from;
    while (p <= end) {
      int amp = indexOf('&', p);
      int itemEnd = amp < 0 ? end : amp;
      int question = indexOf('?', p, itemEnd);
      if (question >= 0) {
        throw new InvalidConnectionStringException(
            Reason.SECOND_QUESTION_MARK,
            question,
            "second '?' in the query string",
            "separate parameters with '&' (a '?' here makes the rest part of the previous value,"
                + " so those settings are silently lost); encode a literal '?' as %3F");
      }
      if (itemEnd > p) {
        readParameter(p, itemEnd);
      }
      if (amp < 0) {
        break;
      }
      p = amp + 1;
    }
  }

  private void readParameter(int from, int to) throws InvalidConnectionStringException {
    int eq = indexOf('=', from, to);
    if (eq < 0 && !jdbc) {
      throw new InvalidConnectionStringException(
          Reason.MISSING_EQUALS,
          from,
          "query parameter without '='",
          "write each parameter as name=value, joined with '&'");
    }
    int nameEnd = eq < 0 ? to : eq;
    String name = PercentCodec.decode(in.substring(from, nameEnd), from, jdbc);
    // pgjdbc reads a bare "?flag" as flag="" rather than failing.
    String value = eq < 0 ? "" : PercentCodec.decode(in.substring(eq + 1, to), eq + 1, jdbc);
    if (name.isEmpty()) {
      throw new InvalidConnectionStringException(
          Reason.MALFORMED,
          from,
          "query parameter without a name",
          "write each parameter as name=value");
    }
    raw.addParameter(new Parameter(name, from, value, eq < 0 ? to : eq + 1));
  }

  private int indexOf(char c, int from) {
    return indexOf(c, from, end);
  }

  private int indexOf(char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (in.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }
}
