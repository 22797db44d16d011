package io.pgconn.operator.url;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * node-postgres URL plus pool variables: pg's Pool never reads max, idleTimeoutMillis or
 * connectionTimeoutMillis from the URL, so the app must pass them from these variables.
 */
final class NodePostgresWriter {

  static final String POOL_MAX = "_POOL_MAX";
  static final String POOL_CONNECTION_TIMEOUT = "_POOL_CONNECTION_TIMEOUT_MILLIS";
  static final String POOL_IDLE_TIMEOUT = "_POOL_IDLE_TIMEOUT_MILLIS";

  /** What the pool variables' names add to the output's key. */
  static final List<String> SUFFIXES =
      List.of(POOL_MAX, POOL_CONNECTION_TIMEOUT, POOL_IDLE_TIMEOUT);

  private static final Set<String> URL_PARAMETERS =
      ConnectionStringRenderer.without(KnownParameters.NODE_POSTGRES, "host", "port");

  private NodePostgresWriter() {}

  static void write(
      ConnectionString cs,
      SortedMap<String, String> settings,
      String key,
      boolean pooled,
      SortedMap<String, String> entries,
      List<String> warnings)
      throws UnsupportedSettingException {
    if (cs.hosts().size() > 1) {
      throw new UnsupportedSettingException(
          "node-postgres connects to a single host; the source"
              + " lists "
              + cs.hosts().size()
              + " hosts: point the source at one host");
    }
    String db = cs.database();
    if (db != null && (db.indexOf('?') >= 0 || db.indexOf('#') >= 0)) {
      throw new UnsupportedSettingException(
          "node-postgres decodes the database name with"
              + " decodeURI, which cannot carry '?' or '#'; rename the database or use format env");
    }
    SortedMap<String, String> s = new TreeMap<>(settings);
    SeparatePool pool = SeparatePool.takeFrom(s);
    s.remove("pgbouncer"); // pg does not prepare statements unless asked per query
    tls(s, warnings);
    SortedMap<String, String> kept =
        ConnectionStringRenderer.keep(s, URL_PARAMETERS, "node-postgres", warnings);
    entries.put(
        key,
        new UrlAssembler("postgresql")
            .credentials(cs.user(), cs.password())
            .hosts(cs.hosts(), "")
            .database(db, NodePostgresWriter::encodeForDecodeUri)
            .parameters(kept)
            .build());
    if (pool.connectionLimit() != null) {
      entries.put(key + POOL_MAX, pool.connectionLimit());
    }
    if (pool.poolTimeoutMillis() != null) {
      entries.put(key + POOL_CONNECTION_TIMEOUT, pool.poolTimeoutMillis());
    }
    if (pooled) {
      entries.put(key + POOL_IDLE_TIMEOUT, ConnectionStringRenderer.NODE_IDLE_TIMEOUT_MILLIS);
    }
  }

  /**
   * pg-connection-string (without uselibpqcompat) reads require and verify-ca as verify-full and
   * has no opportunistic TLS at all, so each libpq mode is written as the node spelling that keeps
   * the policy's promise:
   *
   * <ul>
   *   <li>require: no-verify, which encrypts without verifying, as libpq's require does;
   *   <li>prefer/allow: no-verify too, since encrypting is the nearest node can come; it fails
   *       against a server without TLS, hence the warning;
   *   <li>verify-ca: with sslrootcert, uselibpqcompat=true makes node check the CA but not the host
   *       name, exactly libpq's verify-ca; without a CA file node-postgres refuses it, so
   *       verify-full (stricter) is written instead, with a warning;
   *   <li>verify-full and disable mean the same in both.
   * </ul>
   *
   * uselibpqcompat from the source is dropped otherwise, so only these rules decide.
   */
  private static void tls(SortedMap<String, String> s, List<String> warnings) {
    s.remove("uselibpqcompat");
    String mode = s.get("sslmode");
    if (mode == null) {
      return;
    }
    switch (SslMode.parse(mode)) {
      case ALLOW, PREFER -> {
        s.put("sslmode", "no-verify");
        warnings.add(
            "sslmode "
                + mode
                + " written as no-verify: node-postgres has no"
                + " fall-back between TLS and plain connections, so it always encrypts (without"
                + " verifying) and fails against a server without TLS");
      }
      case REQUIRE -> s.put("sslmode", "no-verify");
      case VERIFY_CA -> {
        if (s.containsKey("sslrootcert")) {
          s.put("uselibpqcompat", "true");
        } else {
          s.put("sslmode", "verify-full");
          warnings.add(
              "sslmode verify-ca written as verify-full: node-postgres needs sslrootcert"
                  + " to verify only the CA, so it verifies the host name too");
        }
      }
      case DISABLE, VERIFY_FULL -> {}
      default -> throw new IllegalStateException();
    }
  }

  /**
   * pg-connection-string decodes the path with decodeURI, which leaves %XX of ; / ? : @ & = + $ , #
   * undecoded: those are written raw (all are safe in a path) and the rest percent-encoded.
   */
  static String encodeForDecodeUri(String database) {
    StringBuilder out = new StringBuilder();
    database
        .codePoints()
        .forEach(
            cp -> {
              if (";/:@&=+$,".indexOf(cp) >= 0) {
                out.appendCodePoint(cp);
              } else {
                out.append(PercentCodec.encode(new String(Character.toChars(cp))));
              }
            });
    return out.toString();
  }
}
