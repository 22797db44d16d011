package io.pgconn.operator.testenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** LocalPostgres against the real PostgreSQL 16 and 17 servers. */
class LocalPostgresIT {

  private static final String PASSWORD = "s3cret:/@%?#&=+ é";
  private static final Path PSQL = Path.of("/usr/bin/psql");

  private static LocalPostgres start(LocalPostgres.Builder builder) {
    long t0 = System.nanoTime();
    LocalPostgres pg = builder.start();
    System.out.printf(
        "LocalPostgres %d started in %d ms (port %d)%n",
        pg.version(), (System.nanoTime() - t0) / 1_000_000, pg.port());
    return pg;
  }

  private static Connection connect(
      LocalPostgres pg, String user, String password, String database, String sslmode)
      throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("sslmode", sslmode);
    props.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(pg.jdbcUrl(database), props);
  }

  private static String queryString(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), "no row for " + sql);
      return rs.getString(1);
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void startsAndReportsServerVersion(int version) throws Exception {
    try (LocalPostgres pg =
        start(LocalPostgres.builder().version(version).superuserPassword(PASSWORD))) {
      assertEquals(version, pg.version());
      assertEquals("127.0.0.1", pg.host());
      assertTrue(pg.port() > 0);
      try (Connection c = pg.superuserConnection()) {
        String serverVersion = queryString(c, "SHOW server_version");
        assertTrue(serverVersion.startsWith(version + "."), serverVersion);
        assertEquals(version, Integer.parseInt(queryString(c, "SHOW server_version_num")) / 10000);
        assertEquals("off", queryString(c, "SHOW fsync"));
        assertEquals("127.0.0.1", queryString(c, "SHOW listen_addresses"));
        assertEquals(pg.socketDir().toString(), queryString(c, "SHOW unix_socket_directories"));
        assertEquals("off", queryString(c, "SHOW ssl"));
      }
      assertEquals(
          "postgresql://postgres:"
              + LocalPostgres.percentEncode(PASSWORD)
              + "@127.0.0.1:"
              + pg.port()
              + "/postgres",
          pg.superuserUrl());
      assertFalse(pg.logTail(5).isEmpty(), "server log is empty");
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void sslOnAcceptsSslModeRequire(int version) throws Exception {
    try (LocalPostgres pg =
        start(LocalPostgres.builder().version(version).ssl(true).superuserPassword(PASSWORD))) {
      try (Connection c = connect(pg, "postgres", PASSWORD, "postgres", "require")) {
        assertEquals(
            "t", queryString(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
        assertEquals("on", queryString(c, "SHOW ssl"));
      }
      Path key = pg.dataDir().resolve("server.key");
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(key)));
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void sslOffRejectsSslModeRequire(int version) {
    try (LocalPostgres pg =
        start(LocalPostgres.builder().version(version).ssl(false).superuserPassword(PASSWORD))) {
      SQLException e =
          assertThrows(
              SQLException.class,
              () -> connect(pg, "postgres", PASSWORD, "postgres", "require").close());
      assertTrue(e.getMessage().contains("The server does not support SSL"), e.getMessage());
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void wrongPasswordFailsWith28P01(int version) {
    try (LocalPostgres pg =
        start(LocalPostgres.builder().version(version).superuserPassword(PASSWORD))) {
      SQLException e =
          assertThrows(
              SQLException.class,
              () -> connect(pg, "postgres", PASSWORD + "x", "postgres", "disable").close());
      assertEquals("28P01", e.getSQLState(), e.getMessage());

      pg.createRole("app", "right", null);
      SQLException e2 =
          assertThrows(
              SQLException.class, () -> connect(pg, "app", "wrong", "postgres", "disable").close());
      assertEquals("28P01", e2.getSQLState(), e2.getMessage());
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void connectionSettingsAreApplied(int version) throws Exception {
    try (LocalPostgres pg =
        start(
            LocalPostgres.builder()
                .version(version)
                .maxConnections(20)
                .superuserReservedConnections(2)
                .reservedConnections(1)
                .setting("work_mem", "8MB")
                .setting("application_name", "it's quoted"))) {
      try (Connection c = pg.superuserConnection()) {
        assertEquals("20", queryString(c, "SHOW max_connections"));
        assertEquals("2", queryString(c, "SHOW superuser_reserved_connections"));
        assertEquals("1", queryString(c, "SHOW reserved_connections"));
        assertEquals("8MB", queryString(c, "SHOW work_mem"));
      }
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void failedStartupThrowsWithTheServerLog(int version) {
    // superuser_reserved_connections (3 by default) must be less than max_connections.
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> LocalPostgres.builder().version(version).maxConnections(2).start());
    // 16 says `... must be less than max_connections (2)`, 17 quotes the names.
    assertTrue(e.getMessage().contains("exited with code"), e.getMessage());
    assertTrue(
        e.getMessage().matches("(?s).*must be less than \"?max_connections\"? \\(2\\).*"),
        e.getMessage());
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void createRoleAndDatabaseWithConnectionLimits(int version) throws Exception {
    try (LocalPostgres pg =
        start(LocalPostgres.builder().version(version).superuserPassword(PASSWORD))) {
      pg.createRole("limited user", "p'w\"d", 5);
      pg.createRole("unlimited", "x", null);
      pg.createDatabase("app db", "limited user", 3);
      try (Connection c = pg.superuserConnection()) {
        assertEquals(
            "5",
            queryString(c, "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'limited user'"));
        assertEquals(
            "t", queryString(c, "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'limited user'"));
        assertEquals(
            "-1", queryString(c, "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'unlimited'"));
        assertEquals(
            "3", queryString(c, "SELECT datconnlimit FROM pg_database WHERE datname = 'app db'"));
        assertEquals(
            "limited user",
            queryString(
                c,
                "SELECT pg_get_userbyid(datdba) " + "FROM pg_database WHERE datname = 'app db'"));
      }
      try (Connection c = connect(pg, "limited user", "p'w\"d", "app db", "disable")) {
        assertEquals("limited user", queryString(c, "SELECT current_user"));
        assertEquals("app db", queryString(c, "SELECT current_database()"));
      }
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void stopRefusesConnectionsAndStartRestartsSameDataOnSamePort(int version) throws Exception {
    try (LocalPostgres pg =
        start(LocalPostgres.builder().version(version).superuserPassword(PASSWORD))) {
      int port = pg.port();
      pg.execute("CREATE TABLE survives (id int)");
      try (Connection open = pg.superuserConnection()) {
        pg.stop(); // fast shutdown: must not wait for this open session
        assertFalse(pg.isRunning());
      }
      SQLException refused =
          assertThrows(
              SQLException.class,
              () -> connect(pg, "postgres", PASSWORD, "postgres", "disable").close());
      assertEquals("08001", refused.getSQLState(), refused.getMessage());
      assertTrue(
          refused.getCause() instanceof ConnectException, String.valueOf(refused.getCause()));

      long t0 = System.nanoTime();
      pg.start();
      System.out.printf(
          "LocalPostgres %d restarted in %d ms%n", version, (System.nanoTime() - t0) / 1_000_000);
      assertEquals(port, pg.port());
      try (Connection c = connect(pg, "postgres", PASSWORD, "postgres", "disable")) {
        assertEquals("0", queryString(c, "SELECT count(*) FROM survives"));
      }
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17})
  void psqlConnectsWithSslModeRequire(int version) throws Exception {
    assumeTrue(Files.isExecutable(PSQL), "psql not installed at " + PSQL);
    try (LocalPostgres pg =
        start(LocalPostgres.builder().version(version).ssl(true).superuserPassword(PASSWORD))) {
      assertEquals("1", psql(pg.superuserUrl() + "?sslmode=require", "select 1"));
      assertEquals(
          "t",
          psql(
              pg.superuserUrl() + "?sslmode=require",
              "select ssl from pg_stat_ssl where pid = pg_backend_pid()"));

      // Encoding of user, password and database names with reserved characters.
      String user = "we!rd user@x";
      String password = "p@ss:w/rd?#%& é";
      pg.createRole(user, password, null);
      pg.createDatabase("db/1", user, null);
      assertEquals(
          user + "|db/1",
          psql(
              pg.url(user, password, "db/1") + "?sslmode=require",
              "select current_user || '|' || current_database()"));
    }
  }

  /** Runs psql with a clean environment; returns trimmed unaligned output, fails on non-zero. */
  private static String psql(String url, String sql) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
                PSQL.toString(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql)
            .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("PGCONNECT_TIMEOUT", "10");
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "psql did not exit");
    assertEquals(0, p.exitValue(), "psql failed: " + out);
    return out.trim();
  }
}
