package io.pgconn.operator.probe;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Properties;
import java.util.stream.Collectors;
import org.postgresql.Driver;

/**
 * Connects once with the policy's own credentials and reads the server's limits. One short-lived
 * connection per probe, closed at once: the operator must never be the client that exhausts
 * connection slots.
 */
public class ServerProbe {

  private static final String FACTS_QUERY = """
      select current_setting('server_version'),
             current_setting('max_connections')::int,
             current_setting('superuser_reserved_connections')::int,
             coalesce(current_setting('reserved_connections', true)::int, 0),
             (select rolconnlimit from pg_roles where rolname = current_user),
             (select datconnlimit from pg_database where datname = current_database()),
             (select count(*) from pg_stat_activity where datname is not null)::int
      """;

  private final Driver driver = new Driver();
  private final Clock clock;

  public ServerProbe(Clock clock) {
    this.clock = clock;
  }

  public ProbeResult probe(ProbeTarget target) {
    Instant start = clock.instant();
    long t0 = System.nanoTime();
    if (target.endpoints().stream().anyMatch(e -> e.host().startsWith("/"))) {
      return ProbeResult.failure(start, 0, FailureReason.Unsupported,
          "the URL names a Unix socket, which the operator cannot reach from its own pod; set"
              + " spec.source.directSecretRef to a TCP address or use probe mode Off");
    }
    try (Connection connection = driver.connect(jdbcUrl(target), properties(target))) {
      if (connection == null) {
        return ProbeResult.failure(start, 0, FailureReason.ProbeFailed, "pgjdbc refused the address");
      }
      ServerFacts facts = readFacts(connection);
      return ProbeResult.success(start, elapsedMs(t0), facts);
    } catch (SQLException e) {
      FailureReason reason = FailureClassifier.classify(e);
      return ProbeResult.failure(start, elapsedMs(t0), reason, describe(reason, e, target));
    }
  }

  private static ServerFacts readFacts(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(FACTS_QUERY)) {
      rs.next();
      return new ServerFacts(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4),
          rs.getInt(5), rs.getInt(6), rs.getInt(7));
    }
  }

  private static String jdbcUrl(ProbeTarget target) {
    String hosts = target.endpoints().stream()
        .map(e -> (e.host().contains(":") ? "[" + e.host() + "]" : e.host()) + ":" + e.port())
        .collect(Collectors.joining(","));
    // Encoded, so no character of the name is read as URL syntax (pgjdbc decodes the path).
    String database = target.database() == null ? "" : target.database();
    return "jdbc:postgresql://" + hosts + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Properties properties(ProbeTarget target) {
    Properties p = new Properties();
    if (target.user() != null) p.setProperty("user", target.user());
    if (target.password() != null) p.setProperty("password", target.password());
    p.setProperty("sslmode", target.sslMode());
    p.setProperty("connectTimeout", Integer.toString(target.connectTimeoutSeconds()));
    p.setProperty("loginTimeout", Integer.toString(target.connectTimeoutSeconds()));
    p.setProperty("socketTimeout", Integer.toString(Math.max(10, target.connectTimeoutSeconds())));
    p.setProperty("ApplicationName", "pgconn-operator-probe");
    p.setProperty("tcpKeepAlive", "true");
    return p;
  }

  /** The driver's own words (they never carry the password), then what to change. */
  private static String describe(FailureReason reason, SQLException e, ProbeTarget target) {
    String detail = String.valueOf(e.getMessage());
    if (target.password() != null && !target.password().isEmpty()) {
      detail = detail.replace(target.password(), "****");
    }
    return reason.what() + ": " + detail.strip() + ". Fix: " + reason.remedy() + ".";
  }

  private static long elapsedMs(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
