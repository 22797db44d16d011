package io.pgconn.operator.budget;

import java.util.Locale;
import java.util.Objects;

/**
 * Which server a policy's connections count against: policies with equal keys share one connection
 * budget. The reconciler keys a policy by what the server reported about itself once its probe
 * logged in ({@link #reported}), so every spelling of one server's host is one budget; the host and
 * port as written ({@link #ServerKey(String, int)}) remain for servers that do not say who they
 * are.
 *
 * @param id the key; never shown to users (explanations say "server", the URL says which)
 */
public record ServerKey(String id) implements Comparable<ServerKey> {

  private static final String REPORTED = "reported ";

  public ServerKey {
    if (id == null || id.isBlank()) throw new IllegalArgumentException("id is required");
  }

  /**
   * The server a URL names, after the caller resolved it (default port filled in, the primary of a
   * multi-host URL chosen). Host names compare case-insensitively and without a trailing dot, as
   * DNS does.
   */
  public ServerKey(String host, int port) {
    this(spelled(host, port));
  }

  /** The server that reported {@code identity} about itself (equal for all its aliases). */
  public static ServerKey reported(String identity) {
    if (identity == null || identity.isBlank())
      throw new IllegalArgumentException("identity is required");
    return new ServerKey(REPORTED + identity);
  }

  private static String spelled(String host, int port) {
    if (host == null || host.isBlank()) throw new IllegalArgumentException("host is required");
    if (port < 1 || port > 65535) throw new IllegalArgumentException("bad port: " + port);
    host = host.strip().toLowerCase(Locale.ROOT);
    if (host.endsWith(".") && host.length() > 1) host = host.substring(0, host.length() - 1);
    // No host name or address has a space: a spelled key can never equal a reported one.
    if (host.chars().anyMatch(Character::isWhitespace))
      throw new IllegalArgumentException("bad host: " + host);
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  // Written out: C1, the image's only compiler, runs a record's generated equals and hashCode
  // through method handles it does not inline, and servers key the budget's maps.
  // RecordEqualityTest holds them to the component.
  @Override
  public boolean equals(Object o) {
    return o instanceof ServerKey k && Objects.equals(id, k.id);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(id);
  }

  @Override
  public int compareTo(ServerKey other) {
    return id.compareTo(other.id);
  }

  @Override
  public String toString() {
    return id;
  }
}
