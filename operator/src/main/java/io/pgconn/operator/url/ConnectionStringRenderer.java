package io.pgconn.operator.url;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes a ConnectionString for one client dialect, applying spec.pool. Deterministic: output
 * depends only on the inputs' values, never on the source's parameter order, and rendering a
 * rendered string again gives the same bytes.
 */
public final class ConnectionStringRenderer {

  /** pg's own default for idleTimeoutMillis, stated so apps can wire every pool option. */
  static final String NODE_IDLE_TIMEOUT_MILLIS = "10000";

  private static final Set<String> LIBPQ_PARAMETERS =
      without(KnownParameters.LIBPQ, "host", "port", "dbname", "user", "password");

  private ConnectionStringRenderer() {}

  /**
   * Writes {@code cs} for one client.
   *
   * <ul>
   *   <li>PRISMA, LIBPQ, PGX: {@code {key: postgresql://...}};
   *   <li>JDBC: {@code key} (credentials in the query) plus SPRING_DATASOURCE_URL (without them),
   *       _USERNAME, _PASSWORD and, when pooled and set, the HIKARI pool size and connection
   *       timeout ({@link OutputKeys#keyPrefix()} replaces SPRING_DATASOURCE_);
   *   <li>NODE_POSTGRES: {@code key} plus {@code <key>_POOL_MAX}, {@code
   *       <key>_POOL_CONNECTION_TIMEOUT_MILLIS} (when set) and {@code
   *       <key>_POOL_IDLE_TIMEOUT_MILLIS} (pg's default 10000, when pooled);
   *   <li>PRISMA_ADAPTER_PG: as NODE_POSTGRES (Prisma 7's adapter-pg configures a pg Pool), the
   *       connection timeout falling back to connect_timeout when no pool timeout is set;
   *   <li>ENV: PGHOST, PGPORT, PGDATABASE, ..., each after the keyPrefix (empty by default; {@code
   *       key} is not used).
   * </ul>
   *
   * @param key the output's key; ignored (and may be null) for ENV
   * @param pool null means {@link PoolSettings#NONE}
   * @param pooled false for a direct connection (migrations): every pool-only setting is left out
   * @throws UnsupportedSettingException when the client cannot express what is asked without
   *     weakening it (Prisma with verify-full, pgjdbc with a Unix socket, ...)
   */
  public static RenderedOutput render(
      ConnectionString cs, OutputFormat format, String key, PoolSettings pool, boolean pooled)
      throws UnsupportedSettingException {
    return render(cs, OutputKeys.of(format, key), pool, pooled);
  }

  /**
   * Writes {@code cs} for one client under the names {@code names} gives: as {@link
   * #render(ConnectionString, OutputFormat, String, PoolSettings, boolean)}, with the jdbc and env
   * variables' names starting with its keyPrefix.
   */
  public static RenderedOutput render(
      ConnectionString cs, OutputKeys names, PoolSettings pool, boolean pooled)
      throws UnsupportedSettingException {
    Objects.requireNonNull(cs, "connection string");
    Objects.requireNonNull(names, "names");
    OutputFormat format = names.format();
    String key = names.key();
    if (cs.kind() == SourceKind.PRISMA_ACCELERATE) {
      return accelerate(cs, format, key);
    }
    SortedMap<String, String> settings =
        EffectiveSettings.of(cs.parameters(), pool == null ? PoolSettings.NONE : pool, pooled);
    List<String> warnings = new ArrayList<>();
    SortedMap<String, String> entries = new TreeMap<>();
    switch (format) {
      case PRISMA -> entries.put(key, prisma(cs, settings));
      case LIBPQ ->
          entries.put(key, libpq(cs, keep(settings, LIBPQ_PARAMETERS, "libpq", warnings)));
      case PGX -> entries.put(key, pgx(cs, settings, warnings));
      case JDBC -> JdbcWriter.write(cs, settings, names, entries, warnings);
      case NODE_POSTGRES, PRISMA_ADAPTER_PG ->
          NodePostgresWriter.write(cs, settings, key, pooled, entries, warnings, format);
      case ENV -> EnvWriter.write(cs, settings, names, entries, warnings);
      default -> throw new IllegalStateException("unhandled format " + format);
    }
    return new RenderedOutput(entries, warnings);
  }

  private static RenderedOutput accelerate(ConnectionString cs, OutputFormat format, String key)
      throws UnsupportedSettingException {
    if (format != OutputFormat.PRISMA) {
      throw new UnsupportedSettingException(
          "the source is a Prisma Accelerate URL, which only"
              + " Prisma Client can use, so format "
              + format.spelling()
              + " cannot be written from it;"
              + " set spec.source.directSecretRef to a direct database URL for this output");
    }
    return new RenderedOutput(
        new TreeMap<>(Map.of(key, cs.verbatim())),
        List.of(
            "Prisma Accelerate URL passed"
                + " through unchanged: pooling happens at Accelerate, so spec.pool settings are not"
                + " applied to it"));
  }

  private static String prisma(ConnectionString cs, SortedMap<String, String> settings)
      throws UnsupportedSettingException {
    String sslmode = settings.get("sslmode");
    if (sslmode != null && !Set.of("disable", "prefer", "require").contains(sslmode)) {
      throw new UnsupportedSettingException(
          "Prisma does not support sslmode="
              + sslmode
              + ": it silently treats it as prefer, so TLS would not be enforced; use sslMode"
              + " require (encrypted, certificate not verified) or a format whose client verifies"
              + " certificates (jdbc, pgx, libpq, node-postgres)");
    }
    if (cs.hosts().size() > 1) {
      throw new UnsupportedSettingException(
          "Prisma connects to a single host; the source lists "
              + cs.hosts().size()
              + " hosts: point the source at one host (or a load balancer)");
    }
    // Prisma's URL parser needs a host; libpq's "no host" default is not expressible for it.
    List<HostPort> hosts =
        cs.hosts().isEmpty() ? List.of(new HostPort("localhost", null)) : cs.hosts();
    // Prisma ignores parameters it does not know, so the source's others are kept as they are.
    return new UrlAssembler("postgresql")
        .credentials(cs.user(), cs.password())
        .hosts(hosts, "localhost")
        .database(cs.database(), PercentCodec::encode)
        .parameters(settings)
        .build();
  }

  static String libpq(ConnectionString cs, Map<String, String> parameters) {
    return new UrlAssembler("postgresql")
        .credentials(cs.user(), cs.password())
        .hosts(cs.hosts(), "")
        .database(cs.database(), PercentCodec::encode)
        .parameters(parameters)
        .build();
  }

  /**
   * pgx takes libpq's keywords plus pgxpool's pool_* keys, and sends anything else to the server as
   * a setting (FATAL for unknown names), so everything else is dropped.
   */
  private static String pgx(
      ConnectionString cs, SortedMap<String, String> settings, List<String> warnings) {
    SortedMap<String, String> s = new TreeMap<>(settings);
    String limit = s.remove("connection_limit");
    if (limit != null) {
      s.put("pool_max_conns", limit);
    }
    if ("true".equals(s.remove("pgbouncer"))) {
      // Prepared statements do not survive a transaction-mode pooler; the simple protocol does.
      s.put("default_query_exec_mode", "simple_protocol");
    }
    Set<String> allowed = new java.util.HashSet<>(LIBPQ_PARAMETERS);
    allowed.addAll(KnownParameters.PGX_POOL);
    allowed.addAll(KnownParameters.PGX_CONN);
    return libpq(cs, keep(s, allowed, "pgx", warnings));
  }

  /** The parameters in {@code allowed}; a warning naming each dropped one. */
  static SortedMap<String, String> keep(
      SortedMap<String, String> settings,
      Set<String> allowed,
      String client,
      List<String> warnings) {
    SortedMap<String, String> kept = new TreeMap<>();
    settings.forEach(
        (name, value) -> {
          if (allowed.contains(name)) {
            kept.put(name, value);
          } else {
            warnings.add("dropped " + describe(name) + ": " + whyDropped(name, client));
          }
        });
    return kept;
  }

  /**
   * A dropped parameter as a warning names it: by name when some client knows it, else without its
   * name, since an unknown "parameter" is often the tail of a password with a raw '&' in it (pgjdbc
   * and libpq split the query on every '&').
   */
  static String describe(String name) {
    return KnownParameters.ALL.contains(name)
        ? "parameter '" + name + "'"
        : "a parameter no client knows (its name is not shown: if the password has a raw '&',"
            + " its tail reads as a parameter; encode '&' as %26)";
  }

  private static String whyDropped(String name, String client) {
    return switch (name) {
      case "socket_timeout" ->
          client
              + " has no socket timeout (tcp_user_timeout or keepalives"
              + " are the nearest libpq settings)";
      case "pool_timeout", "connection_limit", "pgbouncer" ->
          client + " has no pool setting for it in the connection string";
      default ->
          switch (client) {
            case "libpq" -> "libpq rejects unknown parameters";
            case "pgx" ->
                "pgx would send it to the server as a setting, which fails for unknown names";
            default -> client + " does not read it";
          };
    };
  }

  static Set<String> without(Set<String> set, String... remove) {
    Set<String> copy = new java.util.HashSet<>(set);
    copy.removeAll(Set.of(remove));
    return Set.copyOf(copy);
  }
}
