package io.pgconn.operator.url;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The source's parameters under one canonical (libpq/Prisma) name each, with spec.pool applied on
 * top. Writers translate from these names, so a JDBC source's connectTimeout means the same as a
 * URI's connect_timeout.
 */
final class EffectiveSettings {

  private static final Map<String, String> CANONICAL =
      Map.of(
          "connectTimeout", "connect_timeout",
          "socketTimeout", "socket_timeout",
          "ApplicationName", "application_name",
          "sslNegotiation", "sslnegotiation",
          "pool_max_conns", "connection_limit");

  private EffectiveSettings() {}

  static SortedMap<String, String> of(
      Map<String, String> source, PoolSettings pool, boolean pooled) {
    SortedMap<String, String> s = new TreeMap<>();
    source.forEach(
        (name, value) -> {
          String canonical = CANONICAL.getOrDefault(name, name);
          // When both spellings are present the canonical one wins, whatever the source order.
          if (canonical.equals(name) || !source.containsKey(canonical)) {
            s.put(canonical, value);
          }
        });
    put(s, "connection_limit", pool.connectionLimit());
    put(s, "pool_timeout", pool.poolTimeoutSeconds());
    put(s, "connect_timeout", pool.connectTimeoutSeconds());
    put(s, "socket_timeout", pool.socketTimeoutSeconds());
    put(s, "sslmode", pool.sslMode() == null ? null : pool.sslMode().wire());
    put(s, "application_name", pool.applicationName());
    if (pool.pgbouncer()) {
      s.put("pgbouncer", "true");
    }
    if (!pooled) {
      s.keySet().removeAll(KnownParameters.POOL_ONLY);
    }
    return s;
  }

  private static void put(SortedMap<String, String> s, String name, Object value) {
    if (value != null) {
      s.put(name, value.toString());
    }
  }
}
