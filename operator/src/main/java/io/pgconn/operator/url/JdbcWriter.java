package io.pgconn.operator.url;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * pgjdbc URL plus the Spring Boot variables. pgjdbc has no user:password@ authority, so the
 * credentials go to the query (for the single-URL key) or to their own variables (for Spring). The
 * pool settings become HikariCP variables, since pgjdbc itself does not pool. The variables' names
 * start with the output's keyPrefix (SPRING_DATASOURCE_ by default), so that a second jdbc output
 * (an unpooled one for Flyway or Liquibase) can share the Secret.
 */
final class JdbcWriter {

  // The Spring Boot variables' names after the output's keyPrefix (SPRING_DATASOURCE_ by default).
  static final String URL = "URL";
  static final String USERNAME = "USERNAME";
  static final String PASSWORD = "PASSWORD";
  static final String MAX_POOL = "HIKARI_MAXIMUM_POOL_SIZE";
  static final String CONNECTION_TIMEOUT = "HIKARI_CONNECTION_TIMEOUT";

  /** Every name this writer derives from the prefix, whether written this time or not. */
  static final List<String> SUFFIXES =
      List.of(URL, USERNAME, PASSWORD, MAX_POOL, CONNECTION_TIMEOUT);

  private static final Map<String, String> RENAMES =
      Map.of(
          "connect_timeout", "connectTimeout",
          "socket_timeout", "socketTimeout",
          "application_name", "ApplicationName",
          // pgjdbc 42.7.4+ spells libpq's sslnegotiation (postgres | direct) this way.
          "sslnegotiation", "sslNegotiation");

  /**
   * libpq target_session_attrs to pgjdbc targetServerType. pgjdbc's "primary" is decided by
   * transaction_read_only = off, which is exactly read-write; it has no recovery-based check, so
   * standby and prefer-standby map to the read-only-based secondary modes.
   */
  private static final Map<String, String> TARGET_SERVER_TYPES =
      Map.of(
          "any", "any",
          "read-write", "primary",
          "primary", "primary",
          "read-only", "secondary",
          "standby", "secondary",
          "prefer-standby", "preferSecondary");

  private JdbcWriter() {}

  static void write(
      ConnectionString cs,
      SortedMap<String, String> settings,
      OutputKeys names,
      SortedMap<String, String> entries,
      List<String> warnings)
      throws UnsupportedSettingException {
    if (cs.hosts().stream().anyMatch(HostPort::isUnixSocket)) {
      throw new UnsupportedSettingException(
          "pgjdbc cannot connect to a Unix socket without an"
              + " extra socket factory library; point the source at a TCP host and port");
    }
    SortedMap<String, String> s = new TreeMap<>(settings);
    SeparatePool pool = SeparatePool.takeFrom(s);
    if ("true".equals(s.remove("pgbouncer"))) {
      // Server-side prepared statements break behind a transaction-mode pooler.
      s.put("prepareThreshold", "0");
    }
    String attrs = s.remove("target_session_attrs");
    if (attrs != null) {
      s.put("targetServerType", TARGET_SERVER_TYPES.get(attrs));
    }
    SortedMap<String, String> query = new TreeMap<>();
    s.forEach((name, value) -> query.put(RENAMES.getOrDefault(name, name), value));
    SortedMap<String, String> kept =
        ConnectionStringRenderer.keep(query, KnownParameters.JDBC, "pgjdbc", warnings);
    kept.remove("user");
    kept.remove("password");

    SortedMap<String, String> withCredentials = new TreeMap<>(kept);
    if (cs.user() != null) {
      withCredentials.put("user", cs.user());
    }
    if (cs.password() != null) {
      withCredentials.put("password", cs.password());
    }
    entries.put(names.key(), url(cs, withCredentials));
    // The Spring entries win if the key is one of them: Spring reads credentials separately.
    entries.put(names.derived(URL), url(cs, kept));
    if (cs.user() != null) {
      entries.put(names.derived(USERNAME), cs.user());
    }
    if (cs.password() != null) {
      entries.put(names.derived(PASSWORD), cs.password());
    }
    if (pool.connectionLimit() != null) {
      entries.put(names.derived(MAX_POOL), pool.connectionLimit());
    }
    if (pool.poolTimeoutMillis() != null) {
      // Prisma's pool_timeout and Hikari's connectionTimeout both bound the wait for a pooled
      // connection; Hikari also reads 0 as "wait forever".
      entries.put(names.derived(CONNECTION_TIMEOUT), pool.poolTimeoutMillis());
    }
  }

  static String url(ConnectionString cs, SortedMap<String, String> query) {
    StringBuilder out = new StringBuilder("jdbc:postgresql:");
    String db = cs.database() == null ? "" : PercentCodec.encode(cs.database());
    if (cs.hosts().isEmpty()) {
      // pgjdbc's host-less form; it connects to localhost:5432 like libpq's TCP fallback would.
      out.append(db);
    } else {
      out.append("//");
      UrlAssembler.appendAuthorityHosts(
          out,
          cs.hosts().stream()
              .map(h -> h.host().isEmpty() ? new HostPort("localhost", h.port()) : h)
              .toList());
      out.append('/').append(db);
    }
    char separator = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      out.append(separator)
          .append(e.getKey())
          .append('=')
          .append(PercentCodec.encode(e.getValue()));
      separator = '&';
    }
    return out.toString();
  }
}
