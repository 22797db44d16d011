package io.pgconn.operator.probe;

import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.HostPort;
import io.pgconn.operator.url.InvalidConnectionStringException;
import io.pgconn.operator.url.SourceKind;
import io.pgconn.operator.url.SslMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The troubleshooting checklist for one connection string: what the string itself says
 * (well-formed, pool parameters, TLS, pooler) and what the server behind it says (login, usage,
 * sessions idle in a transaction). Everything but {@link #run} is pure: the checks take the parsed
 * string and a probe result. No message contains the password.
 */
public final class ConnectionChecklist {

  public static final String URL_WELL_FORMED = "url-well-formed";
  public static final String POOL_PARAMETERS_PRESENT = "pool-parameters-present";
  public static final String SSL_ENABLED = "ssl-enabled";
  public static final String SERVER_REACHABLE = "server-reachable-and-login-accepted";
  public static final String USAGE_BELOW_80_PERCENT = "usage-below-80-percent";
  public static final String IDLE_IN_TRANSACTION = "idle-in-transaction";
  public static final String POOLER_DETECTED = "pooler-detected";

  /** Parameters only Prisma reads: their presence makes a postgresql:// URL a Prisma one. */
  private static final Set<String> PRISMA_ONLY =
      Set.of(
          "connection_limit",
          "pool_timeout",
          "pgbouncer",
          "schema",
          "socket_timeout",
          "statement_cache_size",
          "sslaccept",
          "sslidentity");

  /** Which output an app needs: the URL's pool parameters mean nothing to Prisma 7's adapter. */
  static final String PRISMA_7_NOTE =
      ". Read by Prisma 6 and earlier; Prisma 7 with @prisma/adapter-pg ignores both (its pool is"
          + " pg's: 10 connections, no wait limit): write format prisma-adapter-pg for it and pass"
          + " its _POOL_* variables to new PrismaPg({...})";

  private final ServerProbe probe;
  private final int defaultConnectTimeoutSeconds;

  public ConnectionChecklist(ServerProbe probe, int defaultConnectTimeoutSeconds) {
    this.probe = probe;
    this.defaultConnectTimeoutSeconds = defaultConnectTimeoutSeconds;
  }

  /** Parses {@code input}, probes the server it names (if it can be probed), runs every check. */
  public List<CheckResult> run(String input) {
    ConnectionString cs;
    try {
      cs = ConnectionStringParser.parse(input);
    } catch (InvalidConnectionStringException e) {
      return unreadable(e);
    }
    ProbeResult result =
        canProbe(cs) ? probe.probe(targetOf(cs, defaultConnectTimeoutSeconds)) : null;
    return evaluate(cs, result);
  }

  /** Every check but the first one Unknown, because the string could not be read. */
  public static List<CheckResult> unreadable(InvalidConnectionStringException e) {
    List<CheckResult> checks = new ArrayList<>();
    // The exception's message is built from fixed text and positions only, never from the input.
    checks.add(CheckResult.fail(URL_WELL_FORMED, e.getMessage()));
    for (String name :
        List.of(
            POOL_PARAMETERS_PRESENT,
            SSL_ENABLED,
            SERVER_REACHABLE,
            USAGE_BELOW_80_PERCENT,
            IDLE_IN_TRANSACTION,
            POOLER_DETECTED)) {
      checks.add(CheckResult.unknown(name, "not checked: the connection string could not be read"));
    }
    return checks;
  }

  /** The checks for a parsed string; {@code probed} is null when the server was not probed. */
  public static List<CheckResult> evaluate(ConnectionString cs, ProbeResult probed) {
    return evaluate(cs, probed, null);
  }

  /**
   * As {@link #evaluate(ConnectionString, ProbeResult)}, for a client whose pool size is not in its
   * URL (node-postgres, Prisma 7's adapter): {@code separatePool} says where it is, e.g. {@code
   * DATABASE_URL_POOL_MAX=5}; null when the URL is all there is.
   */
  public static List<CheckResult> evaluate(
      ConnectionString cs, ProbeResult probed, String separatePool) {
    List<CheckResult> checks = new ArrayList<>();
    checks.add(wellFormed(cs));
    checks.add(
        separatePool == null
            ? poolParameters(cs)
            : CheckResult.pass(POOL_PARAMETERS_PRESENT, separatePool));
    checks.add(ssl(cs));
    checks.add(reachable(cs, probed));
    checks.add(usage(probed));
    checks.add(idleInTransaction(cs, probed));
    checks.add(pooler(cs));
    return checks;
  }

  /** The probe target a string names; no host means localhost, as libpq's TCP default. */
  public static ProbeTarget targetOf(ConnectionString cs, int defaultConnectTimeoutSeconds) {
    List<ProbeTarget.Endpoint> endpoints =
        cs.hosts().isEmpty()
            ? List.of(new ProbeTarget.Endpoint("localhost", HostPort.DEFAULT_PORT))
            : cs.hosts().stream()
                .map(
                    h ->
                        new ProbeTarget.Endpoint(
                            h.host().isEmpty() ? "localhost" : h.host(), h.portOrDefault()))
                .toList();
    return new ProbeTarget(
        endpoints,
        cs.database(),
        cs.user(),
        cs.password(),
        sslMode(cs).wire(),
        connectTimeout(cs, defaultConnectTimeoutSeconds));
  }

  // ---------------------------------------------------------------------------------------------

  static CheckResult wellFormed(ConnectionString cs) {
    if (cs.kind() == SourceKind.PRISMA_ACCELERATE) {
      return CheckResult.pass(
          URL_WELL_FORMED,
          "a Prisma Accelerate URL (pooling and the database"
              + " connection happen at Accelerate)");
    }
    StringBuilder m =
        new StringBuilder("a readable ")
            .append(kindName(cs.kind()))
            .append(" connection string: ")
            .append(
                cs.hosts().isEmpty()
                    ? "default host"
                    : cs.hosts().size() == 1 ? "1 host" : cs.hosts().size() + " hosts");
    m.append(", database ").append(cs.database() == null ? "(the user's name)" : cs.database());
    m.append(", user ").append(cs.user() == null ? "(not set)" : cs.user());
    if (cs.password() == null) {
      m.append(", no password");
    }
    return CheckResult.pass(URL_WELL_FORMED, m.toString());
  }

  static CheckResult poolParameters(ConnectionString cs) {
    String limit = cs.parameters().get("connection_limit");
    String pgx = cs.parameters().get("pool_max_conns");
    switch (cs.kind()) {
      case PRISMA_ACCELERATE:
        return CheckResult.pass(
            POOL_PARAMETERS_PRESENT,
            "Accelerate pools the connections; the"
                + " direct URL for migrations (directUrl) is a separate one");
      case JDBC:
      case KEYWORD_VALUE:
        return CheckResult.unknown(
            POOL_PARAMETERS_PRESENT,
            "a "
                + kindName(cs.kind())
                + " string does not carry the pool size: check the client's pool settings (HikariCP"
                + " maximumPoolSize, default 10 per instance)");
      default:
        break;
    }
    if (limit != null) {
      String timeout = cs.parameters().get("pool_timeout");
      return CheckResult.pass(
          POOL_PARAMETERS_PRESENT,
          "connection_limit="
              + limit
              + " per instance; pool_timeout="
              + (timeout == null ? "10 s (Prisma's default)" : timeout + " s")
              + PRISMA_7_NOTE);
    }
    if (pgx != null) {
      return CheckResult.pass(
          POOL_PARAMETERS_PRESENT, "pool_max_conns=" + pgx + " per instance (pgxpool)");
    }
    return CheckResult.fail(
        POOL_PARAMETERS_PRESENT,
        "no connection_limit: Prisma then opens"
            + " CPUs x 2 + 1 connections per instance, counted on the node's CPUs rather than the"
            + " container's, times every replica. Fix: add connection_limit=N (and pool_timeout) for"
            + " Prisma, or pool_max_conns for pgxpool; a libpq client (psql, psycopg) rejects those"
            + " parameters, so size its pool in code instead");
  }

  static CheckResult ssl(ConnectionString cs) {
    if (cs.kind() == SourceKind.PRISMA_ACCELERATE) {
      return CheckResult.pass(SSL_ENABLED, "Accelerate is reached over HTTPS");
    }
    String given = cs.parameters().get("sslmode");
    SslMode mode = sslMode(cs);
    String shown = given == null ? "sslmode not set (the default is prefer)" : "sslmode=" + given;
    boolean prisma = isPrismaStyle(cs);
    switch (mode) {
      case VERIFY_CA:
      case VERIFY_FULL:
        {
          String guarantee =
              mode == SslMode.VERIFY_FULL
                  ? "encrypted, the certificate chain and the host name are verified"
                  : "encrypted and the certificate chain is verified, the host name is not";
          if (prisma) {
            return CheckResult.fail(
                SSL_ENABLED,
                shown
                    + " would mean "
                    + guarantee
                    + ", but Prisma"
                    + " knows only disable, prefer and require and treats "
                    + mode.wire()
                    + " as prefer:"
                    + " TLS is not enforced and a server without TLS is accepted in plaintext. Fix: use"
                    + " sslmode=require for Prisma (and sslaccept=strict with sslcert to verify)");
          }
          return CheckResult.pass(
              SSL_ENABLED,
              shown
                  + ": "
                  + guarantee
                  + " (if this URL is read by"
                  + " Prisma: it treats "
                  + mode.wire()
                  + " as prefer, so use require there)");
        }
      case REQUIRE:
        return CheckResult.pass(
            SSL_ENABLED,
            shown
                + ": always encrypted, but the certificate is"
                + " not verified, so an attacker on the path can still pose as the server");
      default:
        break;
    }
    String risk =
        switch (mode) {
          case DISABLE -> "never encrypted";
          case ALLOW -> "plaintext first, TLS only if the server insists";
          default -> "TLS only if the server offers it, plaintext otherwise, no certificate check";
        };
    if (allLocal(cs)) {
      return CheckResult.pass(
          SSL_ENABLED,
          shown
              + ": "
              + risk
              + "; acceptable only because every"
              + " host is local (loopback or Unix socket)");
    }
    return CheckResult.fail(
        SSL_ENABLED,
        shown
            + ": "
            + risk
            + ", so passwords and data may"
            + " cross the network in plaintext. Fix: sslmode=require (verify-full with a CA bundle"
            + " for libpq and JDBC clients)");
  }

  static CheckResult reachable(ConnectionString cs, ProbeResult probed) {
    String reason = probeable(cs);
    if (reason != null) {
      return CheckResult.unknown(SERVER_REACHABLE, reason);
    }
    if (probed == null) {
      return CheckResult.unknown(SERVER_REACHABLE, "not probed");
    }
    if (probed.ok()) {
      return CheckResult.pass(
          SERVER_REACHABLE,
          "logged in as "
              + cs.user()
              + " to PostgreSQL "
              + probed.facts().version()
              + " in "
              + probed.latencyMs()
              + " ms");
    }
    return CheckResult.fail(SERVER_REACHABLE, probed.failure().name() + ": " + probed.message());
  }

  static CheckResult usage(ProbeResult probed) {
    if (probed == null || !probed.ok()) {
      return CheckResult.unknown(
          USAGE_BELOW_80_PERCENT, "not checked: no connection to the" + " server");
    }
    ServerFacts f = probed.facts();
    if (f.inUse() == null) {
      return CheckResult.unknown(USAGE_BELOW_80_PERCENT, "the number of sessions is not visible");
    }
    int usable = f.usableConnections();
    String counted =
        f.inUse()
            + " of "
            + usable
            + " usable connections in use (max_connections "
            + f.maxConnections()
            + " less "
            + f.reservedTotal()
            + " reserved; this check's own"
            + " session included)";
    if (usable <= 0) {
      return CheckResult.fail(
          USAGE_BELOW_80_PERCENT,
          counted + ": no slot is left for ordinary" + " roles. Fix: raise max_connections");
    }
    long percent = Math.round(100.0 * f.inUse() / usable);
    if (f.inUse() * 5 >= usable * 4) {
      return CheckResult.fail(
          USAGE_BELOW_80_PERCENT,
          counted
              + ", "
              + percent
              + "%. Fix: lower"
              + " the pool sizes of the clients, add a pooler, or raise max_connections");
    }
    return CheckResult.pass(USAGE_BELOW_80_PERCENT, counted + ", " + percent + "%");
  }

  static CheckResult idleInTransaction(ConnectionString cs, ProbeResult probed) {
    if (probed == null || !probed.ok()) {
      return CheckResult.unknown(IDLE_IN_TRANSACTION, "not checked: no connection to the server");
    }
    ServerFacts f = probed.facts();
    if (f.idleInTransaction() == null) {
      return CheckResult.unknown(IDLE_IN_TRANSACTION, "session states were not read");
    }
    String role = cs.user() == null ? "this role" : cs.user();
    if (f.idleInTransaction() > 0) {
      return CheckResult.fail(
          IDLE_IN_TRANSACTION,
          f.idleInTransaction()
              + " session(s) idle in a"
              + " transaction for over 60 s: each holds a connection slot and its locks. Fix: commit or"
              + " roll back promptly in the application; idle_in_transaction_session_timeout ends"
              + " forgotten ones");
    }
    if (f.hiddenSessions() > 0) {
      return CheckResult.unknown(
          IDLE_IN_TRANSACTION,
          "none of the sessions "
              + role
              + " can see"
              + " is idle in a transaction for over 60 s, but the state of "
              + f.hiddenSessions()
              + " session(s) of other roles is hidden from it. To see them: GRANT pg_read_all_stats TO "
              + role);
    }
    return CheckResult.pass(IDLE_IN_TRANSACTION, "no session idle in a transaction for over 60 s");
  }

  static CheckResult pooler(ConnectionString cs) {
    if (cs.kind() == SourceKind.PRISMA_ACCELERATE) {
      return CheckResult.pass(
          POOLER_DETECTED, "Prisma Accelerate (a pooler): migrations need the" + " direct URL");
    }
    List<String> signs = new ArrayList<>();
    PoolerKind kind = PoolerKind.NONE;
    for (HostPort h : cs.hosts()) {
      PoolerKind k = PoolerKind.of(h);
      if (k == PoolerKind.NONE) continue;
      signs.add(k.description);
      // With several hosts, the one that asks the most of the client decides.
      if (kind == PoolerKind.NONE || k.prismaNeedsPgbouncerFlag()) kind = k;
    }
    boolean pgbouncerFlag = "true".equals(cs.parameters().get("pgbouncer"));
    if (pgbouncerFlag) {
      signs.add("pgbouncer=true");
      if (kind == PoolerKind.NONE) kind = PoolerKind.OTHER_TRANSACTION;
    }
    if (signs.isEmpty()) {
      return CheckResult.pass(
          POOLER_DETECTED,
          "no pooler detected: a direct connection, so every"
              + " client connection is a server connection");
    }
    String found = "pooler detected: " + String.join(", ", signs);
    if (kind.prismaNeedsPgbouncerFlag() && isPrismaStyle(cs) && !pgbouncerFlag) {
      return CheckResult.fail(
          POOLER_DETECTED,
          found
              + "; Prisma 6 and earlier prepare named statements, which break behind a"
              + " transaction-mode pooler. Fix: add pgbouncer=true (spec.pool.pgbouncer: true; not"
              + " needed with PgBouncer >= 1.21 and max_prepared_statements > 0, nor for Prisma 7's"
              + " @prisma/adapter-pg, format prisma-adapter-pg), and use a direct URL for"
              + " migrations");
    }
    if (kind.transactionMode
        && !kind.preparedStatements
        && cs.kind() == SourceKind.JDBC
        && !"0".equals(cs.parameters().get("prepareThreshold"))) {
      return CheckResult.fail(
          POOLER_DETECTED,
          found
              + "; pgjdbc's server-side prepared statements"
              + " break behind a transaction-mode pooler. Fix: add prepareThreshold=0");
    }
    return CheckResult.pass(
        POOLER_DETECTED,
        found
            + pgbouncerNote(kind, pgbouncerFlag, isPrismaStyle(cs))
            + "; migrations and session features"
            + " (LISTEN, advisory locks, SET) need a direct URL");
  }

  /**
   * Where pgbouncer=true is not needed: a warning when it is set anyway (it turns off Prisma's
   * prepared-statement cache for nothing), a note when a Prisma URL rightly goes without it. The
   * URL is never changed: the user decides.
   */
  static String pgbouncerNote(PoolerKind kind, boolean pgbouncerFlag, boolean prisma) {
    String why =
        switch (kind) {
          case SUPABASE_SESSION -> "session mode keeps one server connection per client";
          case NEON_POOLER ->
              "Neon's PgBouncer keeps prepared statements (max_prepared_statements)";
          default -> null;
        };
    if (why == null) return "";
    if (pgbouncerFlag) {
      return "; warning: pgbouncer=true is not needed here ("
          + why
          + ") and only costs Prisma its prepared-statement cache: remove it"
          + " (spec.pool.pgbouncer: false)";
    }
    return prisma ? "; pgbouncer=true not needed (" + why + ")" : "";
  }

  // ---------------------------------------------------------------------------------------------

  /** Whether the server behind {@code cs} can be probed (not Accelerate, not a Unix socket). */
  public static boolean canProbe(ConnectionString cs) {
    return probeable(cs) == null;
  }

  /** Why the server behind {@code cs} cannot be probed, or null when it can. */
  static String probeable(ConnectionString cs) {
    if (cs.kind() == SourceKind.PRISMA_ACCELERATE) {
      return "not checked: an Accelerate URL reaches Prisma's service, not the database; run the"
          + " doctor on the direct URL";
    }
    if (cs.hosts().stream().anyMatch(HostPort::isUnixSocket)) {
      return "not checked: the URL names a Unix socket, which pgjdbc cannot reach";
    }
    return null;
  }

  static boolean isPrismaStyle(ConnectionString cs) {
    return cs.kind() == SourceKind.URI
        && cs.parameters().keySet().stream().anyMatch(PRISMA_ONLY::contains);
  }

  private static SslMode sslMode(ConnectionString cs) {
    String given = cs.parameters().get("sslmode");
    return given == null ? SslMode.PREFER : SslMode.parse(given);
  }

  private static int connectTimeout(ConnectionString cs, int fallback) {
    for (String name : List.of("connect_timeout", "connectTimeout")) {
      String value = cs.parameters().get(name);
      if (value != null && value.matches("[0-9]{1,4}") && Integer.parseInt(value) > 0) {
        return Integer.parseInt(value);
      }
    }
    return fallback;
  }

  private static boolean allLocal(ConnectionString cs) {
    if (cs.hosts().isEmpty()) {
      return true; // libpq's default is the local Unix socket
    }
    return cs.hosts().stream()
        .allMatch(
            h ->
                h.isUnixSocket()
                    || h.host().isEmpty()
                    || h.host().equalsIgnoreCase("localhost")
                    || h.host().startsWith("127.")
                    || h.host().equals("::1"));
  }

  private static String kindName(SourceKind kind) {
    return switch (kind) {
      case URI -> "libpq/Prisma URI";
      case KEYWORD_VALUE -> "libpq keyword/value";
      case JDBC -> "JDBC";
      case PRISMA_ACCELERATE -> "Prisma Accelerate";
    };
  }
}
