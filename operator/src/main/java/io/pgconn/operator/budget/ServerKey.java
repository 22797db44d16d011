package io.pgconn.operator.budget;

import java.util.Comparator;
import java.util.Locale;

/**
 * The server a URL reaches, after the caller resolved it (default port filled in, the primary of a
 * multi-host URL chosen). Policies with equal keys share one connection budget.
 *
 * <p>Host names compare case-insensitively and without a trailing dot, as DNS does.
 */
public record ServerKey(String host, int port) implements Comparable<ServerKey> {

  private static final Comparator<ServerKey> ORDER =
      Comparator.comparing(ServerKey::host).thenComparingInt(ServerKey::port);

  public ServerKey {
    if (host == null || host.isBlank()) throw new IllegalArgumentException("host is required");
    if (port < 1 || port > 65535) throw new IllegalArgumentException("bad port: " + port);
    host = host.strip().toLowerCase(Locale.ROOT);
    if (host.endsWith(".") && host.length() > 1) host = host.substring(0, host.length() - 1);
  }

  @Override
  public int compareTo(ServerKey other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
