package io.pgconn.operator.probe;

import io.pgconn.operator.testenv.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Targets, raw connections and pg_stat_activity counts for the probe ITs. */
final class ProbeFixtures {

  /** Every test role's password: it must never show up in a message, a log line or output. */
  static final String CANARY = "canary-Pw-7f3a9c";

  private ProbeFixtures() {}

  static ProbeTarget target(
      LocalPostgres pg, String user, String password, String database, String sslMode) {
    return target(LocalPostgres.HOST, pg.port(), user, password, database, sslMode, 5);
  }

  static ProbeTarget target(
      String host,
      int port,
      String user,
      String password,
      String database,
      String sslMode,
      int connectTimeoutSeconds) {
    return new ProbeTarget(
        List.of(new ProbeTarget.Endpoint(host, port)),
        database,
        user,
        password,
        sslMode,
        connectTimeoutSeconds);
  }

  /** A plain pgjdbc connection (not through the probe), as the tests' own "application". */
  static Connection connect(LocalPostgres pg, String user, String password, String database)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("sslmode", "disable");
    p.setProperty("connectTimeout", "5");
    p.setProperty("ApplicationName", "test-holder");
    return DriverManager.getConnection(pg.jdbcUrl(database), p);
  }

  /**
   * Opens connections as {@code user} until the server refuses one; returns the refusal. The opened
   * connections are added to {@code held}.
   */
  static SQLException fillUntilRefused(
      LocalPostgres pg, String user, String password, List<Connection> held) {
    for (int i = 0; i < 50; i++) {
      try {
        held.add(connect(pg, user, password, "postgres"));
      } catch (SQLException e) {
        return e;
      }
    }
    throw new AssertionError("50 connections as " + user + " and still no refusal");
  }

  static void closeAll(List<Connection> held) {
    for (Connection c : held) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing test connections
      }
    }
    held.clear();
  }

  /** Sessions whose application_name is the probe's, read as the superuser. */
  static int probeSessions(LocalPostgres pg) {
    return count(
        pg,
        "select count(*) from pg_stat_activity where application_name = '"
            + ProbePools.APPLICATION_NAME
            + "'");
  }

  /** Client sessions other than the asking one. */
  static int otherClientSessions(LocalPostgres pg) {
    return count(
        pg,
        "select count(*) from pg_stat_activity where backend_type = 'client backend'"
            + " and pid <> pg_backend_pid()");
  }

  static int count(LocalPostgres pg, String sql) {
    try (Connection c = pg.superuserConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Connection> list() {
    return new ArrayList<>();
  }
}
