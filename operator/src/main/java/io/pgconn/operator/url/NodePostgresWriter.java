package io.pgconn.operator.url;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * node-postgres URL plus pool variables: pg's Pool never reads max, idleTimeoutMillis or
 * connectionTimeoutMillis from the URL, so the app must pass them from these variables.
 *
 * <p>Also writes {@link OutputFormat#PRISMA_ADAPTER_PG}: Prisma 7's {@code @prisma/adapter-pg}
 * hands its config to a pg Pool, so the URL and the variables are the same, except that Prisma's
 * URL-only settings (schema, connection_limit, pool_timeout) are ignored there, and that a policy
 * with a connect timeout but no pool timeout still bounds the wait (Prisma 6 did by its
 * connect_timeout; pg's default is to wait forever).
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
      List<String> warnings,
      OutputFormat format)
      throws UnsupportedSettingException {
    boolean prisma = format == OutputFormat.PRISMA_ADAPTER_PG;
    String client = prisma ? "@prisma/adapter-pg (node-postgres)" : "node-postgres";
    if (cs.hosts().size() > 1) {
      throw new UnsupportedSettingException(
          client
              + " connects to a single host; the source"
              + " lists "
              + cs.hosts().size()
              + " hosts: point the source at one host");
    }
    String db = cs.database();
    if (db != null && (db.indexOf('?') >= 0 || db.indexOf('#') >= 0)) {
      throw new UnsupportedSettingException(
          client
              + " decodes the database name with"
              + " decodeURI, which cannot carry '?' or '#'; rename the database or use format env");
    }
    SortedMap<String, String> s = new TreeMap<>(settings);
    SeparatePool pool = SeparatePool.takeFrom(s);
    // pg does not prepare named statements unless asked per query (nor does Prisma's adapter):
    // its unnamed statements pass a transaction-mode pooler, so pgbouncer=true has no job here.
    s.remove("pgbouncer");
    if (prisma && s.remove("schema") != null) {
      warnings.add(
          "dropped parameter 'schema': @prisma/adapter-pg does not read it from the URL; pass it"
              + " as the adapter's option: new PrismaPg(config, { schema: '...' })");
    }
    tls(s, warnings);
    SortedMap<String, String> kept =
        ConnectionStringRenderer.keep(s, URL_PARAMETERS, client, warnings);
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
    String connectionTimeout = pool.poolTimeoutMillis();
    if (connectionTimeout == null && prisma && pooled && s.get("connect_timeout") != null) {
      // pg-pool's connectionTimeoutMillis bounds both the wait for a free slot and the connect.
      connectionTimeout = Long.toString(Long.parseLong(s.get("connect_timeout")) * 1000L);
    }
    if (connectionTimeout != null) {
      entries.put(key + POOL_CONNECTION_TIMEOUT, connectionTimeout);
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
