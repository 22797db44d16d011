package io.pgconn.operator.url;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Parameter names each client understands, and the values we can check. Kept in one place because
 * misspelling detection needs the union and each writer needs its own dialect.
 */
final class KnownParameters {

  private KnownParameters() {}

  /** Keywords libpq 16/17 accepts; anything else makes libpq refuse the whole string. */
  static final Set<String> LIBPQ =
      Set.of(
          "host",
          "hostaddr",
          "port",
          "dbname",
          "user",
          "password",
          "passfile",
          "service",
          "connect_timeout",
          "client_encoding",
          "options",
          "application_name",
          "fallback_application_name",
          "keepalives",
          "keepalives_idle",
          "keepalives_interval",
          "keepalives_count",
          "tcp_user_timeout",
          "replication",
          "sslmode",
          "sslnegotiation",
          "sslcompression",
          "sslcert",
          "sslkey",
          "sslpassword",
          "sslrootcert",
          "sslcrl",
          "sslcrldir",
          "sslsni",
          "requirepeer",
          "require_auth",
          "channel_binding",
          "ssl_min_protocol_version",
          "ssl_max_protocol_version",
          "gssencmode",
          "krbsrvname",
          "gsslib",
          "gssdelegation",
          "target_session_attrs",
          "load_balance_hosts");

  /** Prisma's URL parameters; Prisma ignores every other one silently. */
  static final Set<String> PRISMA =
      Set.of(
          "host",
          "port",
          "connection_limit",
          "pool_timeout",
          "connect_timeout",
          "socket_timeout",
          "pgbouncer",
          "statement_cache_size",
          "schema",
          "application_name",
          "options",
          "sslmode",
          "sslcert",
          "sslidentity",
          "sslpassword",
          "sslaccept",
          "max_connection_lifetime",
          "max_idle_connection_lifetime");

  /** pgxpool reads and strips these; pgx sends any other non-libpq key to the server. */
  static final Set<String> PGX_POOL =
      Set.of(
          "pool_max_conns",
          "pool_min_conns",
          "pool_max_conn_lifetime",
          "pool_max_conn_idle_time",
          "pool_health_check_period",
          "pool_max_conn_lifetime_jitter",
          "pool_min_idle_conns");

  static final Set<String> PGX_CONN =
      Set.of(
          "statement_cache_capacity",
          "description_cache_capacity",
          "default_query_exec_mode",
          "min_read_buffer_size");

  /** pgjdbc connection properties we pass through or recognise when reading. */
  static final Set<String> JDBC =
      Set.of(
          "user",
          "password",
          "ssl",
          "sslmode",
          "sslfactory",
          "sslfactoryarg",
          "sslrootcert",
          "sslcert",
          "sslkey",
          "sslpassword",
          "sslhostnameverifier",
          "sslpasswordcallback",
          "sslNegotiation",
          "sslResponseTimeout",
          "connectTimeout",
          "socketTimeout",
          "loginTimeout",
          "cancelSignalTimeout",
          "ApplicationName",
          "options",
          "tcpKeepAlive",
          "tcpNoDelay",
          "targetServerType",
          "prepareThreshold",
          "preparedStatementCacheQueries",
          "preparedStatementCacheSizeMiB",
          "currentSchema",
          "loadBalanceHosts",
          "hostRecheckSeconds",
          "reWriteBatchedInserts",
          "binaryTransfer",
          "stringtype",
          "readOnly",
          "readOnlyMode",
          "gssEncMode",
          "gsslib",
          "kerberosServerName",
          "jaasLogin",
          "channelBinding",
          "autosave",
          "cleanupSavepoints",
          "defaultRowFetchSize",
          "assumeMinServerVersion",
          "logUnclosedConnections",
          "disableColumnSanitiser",
          "escapeSyntaxCallMode",
          "quoteReturningIdentifiers",
          "replication",
          "preferQueryMode",
          "receiveBufferSize",
          "sendBufferSize",
          "maxResultBuffer",
          "adaptiveFetch",
          "localSocketAddress",
          "socketFactory",
          "socketFactoryArg",
          "unknownLength",
          "databaseMetadataCacheFields",
          "groupStartupParameters");

  /** What node-postgres takes from a URL (pg-connection-string plus pg's ConnectionParameters). */
  static final Set<String> NODE_POSTGRES =
      Set.of(
          "host",
          "port",
          "application_name",
          "fallback_application_name",
          "options",
          "statement_timeout",
          "lock_timeout",
          "idle_in_transaction_session_timeout",
          "query_timeout",
          "connect_timeout",
          "keepalives",
          "keepalives_idle",
          "client_encoding",
          "replication",
          "ssl",
          "sslmode",
          "sslrootcert",
          "sslcert",
          "sslkey",
          "uselibpqcompat");

  static final Set<String> ALL = union(LIBPQ, PRISMA, PGX_POOL, PGX_CONN, JDBC, NODE_POSTGRES);

  /** Settings that only make sense when connecting through a pool: removed for pooled=false. */
  static final Set<String> POOL_ONLY =
      union(Set.of("connection_limit", "pool_timeout", "pgbouncer"), PGX_POOL);

  private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");
  private static final Pattern SIGNED_NUMBER = Pattern.compile("-?[0-9]{1,9}");
  private static final Pattern GO_DURATION =
      Pattern.compile("([0-9]+(\\.[0-9]+)?(ns|us|\u00b5s|ms|s|m|h))+");

  private record Check(Predicate<String> accepts, String expected) {}

  private static final Check NOT_NEGATIVE =
      new Check(v -> WHOLE_NUMBER.matcher(v).matches(), "expected a whole number of seconds >= 0");
  private static final Check POSITIVE =
      new Check(
          v -> WHOLE_NUMBER.matcher(v).matches() && Integer.parseInt(v) > 0,
          "expected a whole number >= 1");
  private static final Check COUNT =
      new Check(v -> WHOLE_NUMBER.matcher(v).matches(), "expected a whole number >= 0");
  private static final Check ZERO_ONE =
      new Check(v -> v.equals("0") || v.equals("1"), "expected 0 or 1");
  private static final Check TRUE_FALSE =
      new Check(v -> v.equals("true") || v.equals("false"), "expected true or false");
  private static final Check DURATION =
      new Check(
          v -> GO_DURATION.matcher(v).matches(), "expected a Go duration such as 30m or 1h30m");

  private static Check oneOf(String... values) {
    Set<String> allowed = Set.of(values);
    return new Check(
        allowed::contains, "expected one of " + String.join(", ", new TreeSet<>(allowed)));
  }

  private static final Map<String, Check> CHECKS =
      Map.ofEntries(
          Map.entry("connection_limit", POSITIVE),
          Map.entry("pool_max_conns", POSITIVE),
          Map.entry("pool_min_conns", COUNT),
          Map.entry("pool_min_idle_conns", COUNT),
          Map.entry("pool_timeout", NOT_NEGATIVE),
          Map.entry("connect_timeout", NOT_NEGATIVE),
          Map.entry("socket_timeout", NOT_NEGATIVE),
          Map.entry("connectTimeout", NOT_NEGATIVE),
          Map.entry("socketTimeout", NOT_NEGATIVE),
          Map.entry("loginTimeout", NOT_NEGATIVE),
          Map.entry("keepalives_idle", NOT_NEGATIVE),
          Map.entry("keepalives_interval", NOT_NEGATIVE),
          Map.entry("keepalives_count", COUNT),
          Map.entry("tcp_user_timeout", COUNT),
          Map.entry("statement_cache_size", COUNT),
          Map.entry(
              "prepareThreshold",
              new Check(v -> SIGNED_NUMBER.matcher(v).matches(), "expected a whole number")),
          Map.entry("keepalives", ZERO_ONE),
          Map.entry("sslcompression", ZERO_ONE),
          Map.entry("sslsni", ZERO_ONE),
          Map.entry("pgbouncer", TRUE_FALSE),
          Map.entry("uselibpqcompat", TRUE_FALSE),
          Map.entry(
              "sslmode",
              oneOf(
                  "disable",
                  "allow",
                  "prefer",
                  "require",
                  "verify-ca",
                  "verify-full",
                  "no-verify")),
          Map.entry(
              "target_session_attrs",
              oneOf("any", "read-write", "read-only", "primary", "standby", "prefer-standby")),
          Map.entry("load_balance_hosts", oneOf("disable", "random")),
          Map.entry("channel_binding", oneOf("disable", "prefer", "require")),
          Map.entry("gssencmode", oneOf("disable", "prefer", "require")),
          Map.entry("sslnegotiation", oneOf("postgres", "direct")),
          Map.entry("sslaccept", oneOf("strict", "accept_invalid_certs")),
          Map.entry("pool_max_conn_lifetime", DURATION),
          Map.entry("pool_max_conn_idle_time", DURATION),
          Map.entry("pool_health_check_period", DURATION),
          Map.entry("pool_max_conn_lifetime_jitter", DURATION));

  /**
   * @return null if the value is fine (or not checkable), else what was expected.
   */
  static String problemWithValue(String name, String value) {
    Check check = CHECKS.get(name);
    return check == null || check.accepts.test(value) ? null : check.expected;
  }

  /**
   * The known name an unknown one was probably meant to be: optimal-string-alignment distance <= 2
   * (so a swapped pair like "sslmdoe" counts once), ignoring case. Names shorter than 4 characters
   * are never called misspellings: almost every short word is within 2 edits of "ssl" or "port",
   * and real server settings (pgx passes them through) would be rejected.
   *
   * @return the suggestion, or null when {@code name} is known or not close to anything
   */
  static String suggestionFor(String name) {
    if (ALL.contains(name) || name.length() < 4) {
      return null;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = 3;
    int bestExactCase = Integer.MAX_VALUE;
    for (String known : new TreeSet<>(ALL)) {
      int d = distance(lower, known.toLowerCase(Locale.ROOT), 3);
      // Ties go to the name closest in case too: application-name means application_name,
      // not pgjdbc's ApplicationName.
      int exactCase = d < 3 ? distance(name, known, Integer.MAX_VALUE) : Integer.MAX_VALUE;
      if (d < bestDistance || (d == bestDistance && d < 3 && exactCase < bestExactCase)) {
        best = known;
        bestDistance = d;
        bestExactCase = exactCase;
      }
    }
    return best;
  }

  /** Optimal string alignment distance, giving up (returning limit) once it cannot be below it. */
  static int distance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) >= limit) {
      return limit;
    }
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return Math.min(d[a.length()][b.length()], limit);
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    TreeSet<String> all = new TreeSet<>();
    for (Set<String> s : sets) {
      all.addAll(s);
    }
    return Set.copyOf(all);
  }
}
