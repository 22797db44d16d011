package io.pgconn.operator.url;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed connection string: decoded components, parameters in source order. Immutable. {@link
 * #toString()} is the redacted form so that logging a value can never leak its password.
 *
 * @param verbatim the input as given, kept only for {@link SourceKind#PRISMA_ACCELERATE} (whose URL
 *     is passed through untouched); null otherwise
 */
public record ConnectionString(
    SourceKind kind,
    List<HostPort> hosts,
    String database,
    String user,
    String password,
    Map<String, String> parameters,
    String verbatim) {

  static final String MASK = "****";

  /** Parameters that carry secrets of their own, masked like the password. */
  private static final Set<String> SECRET_PARAMETERS = Set.of("sslpassword", "api_key");

  public ConnectionString {
    Objects.requireNonNull(kind, "kind");
    hosts = List.copyOf(hosts);
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      Objects.requireNonNull(e.getKey(), "parameter name");
      Objects.requireNonNull(e.getValue(), "parameter value");
    }
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  public ConnectionString withPassword(String newPassword) {
    return new ConnectionString(kind, hosts, database, user, newPassword, parameters, verbatim);
  }

  public ConnectionString withUser(String newUser) {
    return new ConnectionString(kind, hosts, database, newUser, password, parameters, verbatim);
  }

  public ConnectionString withDatabase(String newDatabase) {
    return new ConnectionString(kind, hosts, newDatabase, user, password, parameters, verbatim);
  }

  public ConnectionString withHosts(List<HostPort> newHosts) {
    return new ConnectionString(kind, newHosts, database, user, password, parameters, verbatim);
  }

  /** Adds or replaces one parameter; a null value removes it. */
  public ConnectionString withParameter(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(parameters);
    if (value == null) {
      copy.remove(name);
    } else {
      copy.put(name, value);
    }
    return new ConnectionString(kind, hosts, database, user, password, copy, verbatim);
  }

  /**
   * A libpq-URI-like rendering for logs and status messages: password and secret parameters
   * replaced by ****, everything encoded so the text is unambiguous.
   */
  public String redacted() {
    if (kind == SourceKind.PRISMA_ACCELERATE) {
      return redactAccelerate(verbatim);
    }
    StringBuilder out = new StringBuilder("postgresql://");
    if (user != null || password != null) {
      if (user != null) {
        out.append(PercentCodec.encode(user));
      }
      if (password != null) {
        out.append(':').append(MASK);
      }
      out.append('@');
    }
    for (int i = 0; i < hosts.size(); i++) {
      HostPort h = hosts.get(i);
      if (i > 0) {
        out.append(',');
      }
      out.append(h.isIpv6() ? "[" + h.host() + "]" : PercentCodec.encode(h.host()));
      if (h.port() != null) {
        out.append(':').append(h.port());
      }
    }
    if (database != null) {
      out.append('/').append(PercentCodec.encode(database));
    }
    char sep = '?';
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      // A name no client knows may be the tail of a password split at a raw '&': mask it too.
      boolean known = KnownParameters.ALL.contains(e.getKey());
      String name = known ? PercentCodec.encode(e.getKey()) : MASK;
      String value =
          !known || SECRET_PARAMETERS.contains(e.getKey())
              ? MASK
              : PercentCodec.encode(e.getValue());
      out.append(sep).append(name).append('=').append(value);
      sep = '&';
    }
    return out.toString();
  }

  /** Accelerate URLs carry their credential as api_key (or in the userinfo): mask both. */
  private static String redactAccelerate(String url) {
    String masked = url.replaceAll("(?i)(api_key=)[^&#]*", "$1" + MASK);
    return masked.replaceAll("^([a-zA-Z+]+://)[^@/?#]*@", "$1" + MASK + "@");
  }

  @Override
  public String toString() {
    return redacted();
  }
}
