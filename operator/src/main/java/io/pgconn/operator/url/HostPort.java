package io.pgconn.operator.url;

import java.util.Objects;

/**
 * One server to try. {@code host} is a name, an IPv4 address, an IPv6 literal without brackets, a
 * Unix-socket directory (starts with '/'), or "" for the client's default; {@code port} null means
 * the client's default (5432).
 */
public record HostPort(String host, Integer port) {

  public static final int DEFAULT_PORT = 5432;

  public HostPort {
    Objects.requireNonNull(host, "host");
    if (port != null && (port < 1 || port > 65535)) {
      throw new IllegalArgumentException("port must be 1..65535");
    }
  }

  public boolean isUnixSocket() {
    return host.startsWith("/");
  }

  /**
   * Only IPv6 literals contain ':' once brackets are gone, so this is enough to know to re-add
   * them.
   */
  public boolean isIpv6() {
    return host.indexOf(':') >= 0;
  }

  public int portOrDefault() {
    return port == null ? DEFAULT_PORT : port;
  }
}
