package io.pgconn.operator.url;

import io.pgconn.operator.url.InvalidConnectionStringException.Reason;

/**
 * What a host, a user name and a database name may hold. A host is a DNS name, an IPv4 or IPv6
 * address (with an optional zone) or a Unix-socket directory: a decoded '/', '?', '&', '=' or space
 * in anything else would turn into URL syntax wherever a client concatenates it, which is how a
 * host could smuggle pgjdbc properties into a connection. User and database names may hold any
 * printable character in any script, but no control byte: CR/LF would split log lines, and no
 * server role or database a client can name by URL needs one.
 */
public final class NameSyntax {

  private NameSyntax() {}

  static void checkHost(String host, int position) throws InvalidConnectionStringException {
    if (host.isEmpty()) {
      return; // the client's default
    }
    if (host.startsWith("/")) {
      // A socket directory is a path: any character a directory name has, but no control byte.
      if (firstControl(host) >= 0) {
        throw badHost(position);
      }
      return;
    }
    if (!isTcpHost(host)) {
      throw badHost(position);
    }
  }

  /** A DNS name, an IPv4 address or an IPv6 address without brackets: what a TCP client dials. */
  public static boolean isTcpHost(String host) {
    return !host.isEmpty() && (host.indexOf(':') >= 0 ? isIpv6(host) : isNameOrIpv4(host));
  }

  static void checkName(String name, int position, String what)
      throws InvalidConnectionStringException {
    if (name == null) {
      return;
    }
    int bad = firstControl(name);
    if (bad >= 0) {
      throw new InvalidConnectionStringException(
          Reason.CONTROL_CHARACTER,
          position,
          "control character (such as CR, LF or TAB) in the " + what,
          "remove it; PostgreSQL role and database names a client can use never hold one");
    }
  }

  /** Letters, digits, '-', '_' and '.': every DNS name (and Docker's '_' names) and IPv4. */
  private static boolean isNameOrIpv4(String host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Hex digits, ':' and '.' (an embedded IPv4), then optionally '%' and a zone (fe80::1%eth0). */
  private static boolean isIpv6(String host) {
    int percent = host.indexOf('%');
    String address = percent < 0 ? host : host.substring(0, percent);
    if (address.isEmpty()) {
      return false;
    }
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'f')
              || (c >= 'A' && c <= 'F')
              || c == ':'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    if (percent < 0) {
      return true;
    }
    String zone = host.substring(percent + 1);
    return !zone.isEmpty() && zone.indexOf('.') < 0 && isNameOrIpv4(zone);
  }

  private static int firstControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        return i;
      }
    }
    return -1;
  }

  private static InvalidConnectionStringException badHost(int position) {
    return new InvalidConnectionStringException(
        Reason.BAD_HOST,
        position,
        "host contains a character no host name or IP address has",
        "fix the host: write a DNS name (letters, digits, '-', '_', '.'), an IPv4 address or a"
            + " bracketed IPv6 address such as [2001:db8::1]; parameters go after '?', never in"
            + " the host");
  }
}
