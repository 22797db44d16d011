package io.pgconn.operator.probe;

import io.pgconn.operator.url.NameSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Connects with the policy's own credentials and reads the server's limits. Connections come from
 * {@link ProbePools}: one pool of at most one connection per server, database, user, credentials
 * and sslmode, closed after {@link ProbeSettings#idleTimeout()} without probes. The operator must
 * never be the client that exhausts connection slots.
 */
public class ServerProbe implements AutoCloseable {

  /**
   * A row that takes one of max_connections' slots. Parallel and autovacuum workers and WAL senders
   * have slots of their own and are left out; but for sessions of roles this one may not inspect
   * the server hides backend_type (and state), so those count as clients whenever they sit in a
   * database, as a slot-taking session would.
   */
  static final String CLIENT_SESSION =
      "(backend_type = 'client backend' or (backend_type is null and datname is not null))";

  /**
   * The last column counts sessions whose state is hidden from this role, which makes the
   * idle-in-transaction check Unknown. The operator's own probe sessions of other roles (a peer's
   * credentials, or one rotated a moment ago) never sit in a transaction and are left out:
   * otherwise one rotation flipped that check on every policy of the server. A client that calls
   * itself by the probe's application_name hides from this count only, not from usage or the
   * ledger.
   */
  private static final String FACTS_QUERY =
      """
      select current_setting('server_version'),
             current_setting('max_connections')::int,
             current_setting('superuser_reserved_connections')::int,
             coalesce(current_setting('reserved_connections', true)::int, 0),
             (select case when rolsuper then -1 else rolconnlimit end
                from pg_roles where rolname = current_user),
             (select case when (select rolsuper from pg_roles where rolname = current_user) then -1
                else datconnlimit end from pg_database where datname = current_database()),
             (select count(*) from pg_stat_activity where %1$s)::int,
             (select count(*) from pg_stat_activity
               where backend_type = 'client backend'
                 and state in ('idle in transaction', 'idle in transaction (aborted)')
                 and state_change < now() - make_interval(secs => ?))::int,
             (select count(*) from pg_stat_activity
               where datname is not null and usename is not null and state is null
                 and application_name is distinct from '%2$s')::int
      """
          .formatted(CLIENT_SESSION, ProbePools.APPLICATION_NAME);

  private final Clock clock;
  private final ProbeSettings settings;
  private final ProbePools pools;

  public ServerProbe(Clock clock) {
    this(clock, ProbeSettings.defaults());
  }

  public ServerProbe(Clock clock, ProbeSettings settings) {
    this.clock = clock;
    this.settings = settings;
    this.pools = new ProbePools(settings);
  }

  public ProbeResult probe(ProbeTarget target) {
    Instant start = clock.instant();
    long t0 = System.nanoTime();
    if (target.endpoints().stream().anyMatch(e -> e.host().startsWith("/"))) {
      return ProbeResult.failure(
          start,
          0,
          FailureReason.Unsupported,
          "the URL names a Unix socket, which the operator cannot reach from its own pod; set"
              + " spec.source.directSecretRef to a TCP address or use probe mode Off");
    }
    if (target.endpoints().stream().anyMatch(e -> !NameSyntax.isTcpHost(e.host()))) {
      // Defence in depth: the parser refuses such hosts, but a target can be built elsewhere.
      return ProbeResult.failure(
          start,
          0,
          FailureReason.InvalidHost,
          FailureReason.InvalidHost.what() + ". Fix: " + FailureReason.InvalidHost.remedy() + ".");
    }
    try {
      ServerFacts facts = pools.use(target, this::readFacts);
      return ProbeResult.success(start, elapsedMs(t0), facts);
    } catch (SQLException e) {
      FailureReason reason = FailureClassifier.classify(e);
      return ProbeResult.failure(start, elapsedMs(t0), reason, describe(reason, e, target));
    }
  }

  /** Closes the pool (and its connection) this target would use; call when a policy goes away. */
  public void release(ProbeTarget target) {
    pools.release(target);
  }

  /** Closes every probe pool; later probes open new ones. */
  public void closeAll() {
    pools.closeAll();
  }

  /** Closes every pool and stops the pools' threads; the probe cannot be used afterwards. */
  @Override
  public void close() {
    pools.close();
  }

  ProbePools pools() {
    return pools;
  }

  private ServerFacts readFacts(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(FACTS_QUERY)) {
      statement.setDouble(1, settings.idleInTransactionThreshold().toMillis() / 1000.0);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return new ServerFacts(
            rs.getString(1),
            rs.getInt(2),
            rs.getInt(3),
            rs.getInt(4),
            rs.getInt(5),
            rs.getInt(6),
            rs.getInt(7),
            rs.getInt(8),
            rs.getInt(9),
            sessions(connection),
            identity(connection));
      }
    }
  }

  /**
   * What the server says about itself (see {@link ServerIdentity}), or null when it cannot be read:
   * a server that only speaks the protocol lacks these functions, and the probe must not fail for
   * it. Whether pg_control_system() may be executed is asked first, so a role without the right
   * leaves no permission error in the server's log at every probe.
   */
  private static ServerIdentity identity(Connection connection) {
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "select pg_is_in_recovery(), current_setting('port')::int,"
                    + " extract(epoch from pg_postmaster_start_time())::text,"
                    + " has_function_privilege('pg_catalog.pg_control_system()', 'execute')")) {
      rs.next();
      boolean standby = rs.getBoolean(1);
      int port = rs.getInt(2);
      String startedAt = rs.getString(3);
      String system = null;
      if (rs.getBoolean(4)) {
        try (ResultSet id =
            statement.executeQuery("select system_identifier::text from pg_control_system()")) {
          id.next();
          system = id.getString(1);
        } catch (SQLException e) {
          // Identified by the start time instead, as without the privilege.
        }
      }
      return new ServerIdentity(system, port, standby, startedAt);
    } catch (SQLException e) {
      return null;
    }
  }

  /**
   * Client connections by application_name and role, visible to any role (pg_stat_activity hides
   * other roles' queries and states, never who they are): how the budget tells the pools it sized
   * (they carry the policy's application name) from clients no policy lists, and what the
   * connection ledger counts per consumer. One grouped query, as the count by application_name
   * alone was.
   */
  private static Map<ServerFacts.Client, Integer> sessions(Connection connection)
      throws SQLException {
    Map<ServerFacts.Client, Integer> counts = new TreeMap<>(ServerFacts.Client.ORDER);
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "select coalesce(application_name, ''), usename, count(*)::int"
                    + " from pg_stat_activity where "
                    + CLIENT_SESSION
                    + " and pid <> pg_backend_pid()"
                    + " group by 1, 2")) {
      while (rs.next()) {
        counts.put(new ServerFacts.Client(rs.getString(1), rs.getString(2)), rs.getInt(3));
      }
    }
    return counts;
  }

  /**
   * Always the same text: pgjdbc reads host, port and database from the properties below, so no
   * character of a host or a name can ever be read as URL syntax (a '?' in a host would otherwise
   * start a query whose parameters override the properties, sslmode and user included).
   */
  static String jdbcUrl(ProbeTarget target) {
    return "jdbc:postgresql://";
  }

  static Properties properties(ProbeTarget target) {
    Properties p = new Properties();
    // IPv6 addresses in brackets, as pgjdbc's own URL parser leaves them in PGHOST.
    p.setProperty(
        "PGHOST",
        target.endpoints().stream()
            .map(e -> e.host().contains(":") ? "[" + e.host() + "]" : e.host())
            .collect(Collectors.joining(",")));
    p.setProperty(
        "PGPORT",
        target.endpoints().stream()
            .map(e -> Integer.toString(e.port()))
            .collect(Collectors.joining(",")));
    p.setProperty("PGDBNAME", target.database() == null ? "" : target.database());
    if (target.user() != null) p.setProperty("user", target.user());
    if (target.password() != null) p.setProperty("password", target.password());
    p.setProperty("sslmode", target.sslMode());
    if (target.caCertificates() != null
        && (target.sslMode().startsWith("verify") || target.sslMode().equals("require"))) {
      // The policy's own CA bundle, in memory: the chain must end in it (libpq verifies the CA
      // under require too once a root certificate is given, and the apps get sslrootcert).
      p.setProperty("sslfactory", PemTrustSslFactory.class.getName());
      p.setProperty(PemTrustSslFactory.PEM_PROPERTY, target.caCertificates());
    } else if (target.sslMode().startsWith("verify") && !Files.isRegularFile(defaultRootCert())) {
      // Without ~/.postgresql/root.crt pgjdbc cannot verify anything; the JVM's trust store
      // (public CAs, plus whatever the deployment adds) is the operator's CA bundle then.
      p.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
    }
    p.setProperty("connectTimeout", Integer.toString(target.connectTimeoutSeconds()));
    p.setProperty("loginTimeout", Integer.toString(target.connectTimeoutSeconds()));
    p.setProperty("socketTimeout", Integer.toString(Math.max(10, target.connectTimeoutSeconds())));
    p.setProperty("ApplicationName", ProbePools.APPLICATION_NAME);
    p.setProperty("tcpKeepAlive", "true");
    return p;
  }

  private static Path defaultRootCert() {
    return Path.of(System.getProperty("user.home", "/"), ".postgresql", "root.crt");
  }

  /** The driver's own words (they never carry the password), then what to change. */
  static String describe(FailureReason reason, SQLException e, ProbeTarget target) {
    String detail = stripPeriod(String.valueOf(e.getMessage()).strip());
    // Client-side failures say only "The connection attempt failed": the causes say what happened.
    int shown = 0;
    for (Throwable c = e.getCause(); c != null && shown < 2; c = c.getCause()) {
      String m = c.getMessage();
      if (c instanceof SQLException || (m != null && detail.contains(m))) {
        continue;
      }
      detail +=
          " ("
              + c.getClass().getSimpleName()
              + (m == null ? "" : ": " + stripPeriod(m.strip()))
              + ")";
      shown++;
    }
    // Defence in depth: the driver's messages do not carry the password. A password of a few
    // characters would match ordinary words, and masking those would garble the message.
    if (target.password() != null && target.password().length() >= 4) {
      detail = detail.replace(target.password(), "****");
    }
    String what = reason.what();
    if (reason == FailureReason.PgHbaRejected && FailureClassifier.hbaEncryption(detail) != null) {
      what += " (this connection was " + FailureClassifier.hbaEncryption(detail) + ")";
    }
    String code = reason.prismaCode() == null ? "" : " [Prisma " + reason.prismaCode() + "]";
    return what + code + ": " + detail + ". Fix: " + FailureClassifier.remedy(reason, detail) + ".";
  }

  private static String stripPeriod(String text) {
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  private static long elapsedMs(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
