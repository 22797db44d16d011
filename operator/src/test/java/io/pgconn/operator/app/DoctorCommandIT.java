package io.pgconn.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `pgconn doctor` against real PostgreSQL 17 servers (one with TLS, one without). */
class DoctorCommandIT {

  private static final String CANARY = "canary-Doc-91b2e0";

  private static LocalPostgres tls;
  private static LocalPostgres plain;
  private LogCapture logs;

  private record Run(int exit, String out, String err) {
    String line(String check) {
      return out.lines()
          .filter(l -> l.matches("^(PASS|FAIL|UNKNOWN) +" + check + " .*"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no line for " + check + " in\n" + out));
    }
  }

  @BeforeAll
  static void servers() {
    tls = LocalPostgres.builder().version(17).ssl(true).superuserPassword(CANARY + "-su").start();
    plain =
        LocalPostgres.builder().version(17).ssl(false).superuserPassword(CANARY + "-su").start();
    for (LocalPostgres pg : new LocalPostgres[] {tls, plain}) {
      pg.createRole("app", CANARY, null);
      pg.createRole("watcher", CANARY, null);
      pg.createDatabase("appdb", "app", null);
      // With pg_read_all_stats the role sees every session's state: nothing is Unknown.
      pg.execute("GRANT pg_read_all_stats TO app");
    }
  }

  @AfterAll
  static void stop() {
    if (tls != null) tls.close();
    if (plain != null) plain.close();
  }

  @BeforeEach
  void captureLogs() {
    logs = LogCapture.install();
  }

  @AfterEach
  void noPasswordInLogs() {
    logs.close();
    assertThat(logs.lines()).noneMatch(l -> l.contains(CANARY));
  }

  private static Run run(String stdin, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    DoctorCommand command = new DoctorCommand();
    command.setStreams(
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    command.setEnvironment(env::get);
    int exit = new CommandLine(command).execute(args);
    Run r =
        new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.out.println(
        "doctor "
            + String.join(" ", args).replace(CANARY, "****")
            + " -> "
            + exit
            + "\n"
            + r.out
            + r.err);
    assertThat(r.out).doesNotContain(CANARY);
    assertThat(r.err).doesNotContain(CANARY);
    return r;
  }

  private static Run run(String... args) {
    return run("", Map.of(), args);
  }

  private static String url(
      LocalPostgres pg, String user, String password, String db, String query) {
    return pg.url(user, password, db) + query;
  }

  @Test
  void healthyUrlPassesEveryCheckAndExitsZero() {
    Run r = run(url(tls, "app", CANARY, "appdb", "?sslmode=require&connection_limit=5"));
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out())
        .startsWith(
            "pgconn doctor: postgresql://app:****@127.0.0.1:"
                + tls.port()
                + "/appdb?sslmode=require&connection_limit=5\n");
    assertThat(r.out().lines().filter(l -> l.startsWith("PASS "))).hasSize(7);
    assertThat(r.line("server-reachable-and-login-accepted")).contains("PostgreSQL 17.");
    assertThat(r.line("ssl-enabled")).contains("certificate is not verified");
    assertThat(r.line("usage-below-80-percent")).containsPattern("[0-9]+ of 97 usable");
    assertThat(r.out()).contains("verdict: PASS (0 of 7 checks failed, 0 unknown)");
  }

  @Test
  void readsTheUrlFromDatabaseUrlThenStdin() {
    String healthy = url(tls, "app", CANARY, "appdb", "?sslmode=require&connection_limit=5");
    assertThat(run("", Map.of("DATABASE_URL", healthy)).exit()).isZero();
    assertThat(run(healthy + "\n", Map.of()).exit()).isZero();
    // The argument wins over the environment, the environment over stdin.
    String wrong = url(tls, "app", CANARY + "x", "appdb", "?sslmode=require&connection_limit=5");
    assertThat(run(healthy, Map.of("DATABASE_URL", wrong)).exit()).isEqualTo(1);
    assertThat(run("", Map.of("DATABASE_URL", wrong), healthy).exit()).isZero();
  }

  @Test
  void wrongPasswordFailsTheLoginCheck() {
    Run r = run(url(tls, "app", CANARY + "-wrong", "appdb", "?sslmode=require&connection_limit=5"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.line("server-reachable-and-login-accepted"))
        .startsWith("FAIL")
        .contains("AuthenticationFailed")
        .contains("P1000")
        .contains("password authentication failed for user \"app\"");
    assertThat(r.line("usage-below-80-percent")).startsWith("UNKNOWN");
    assertThat(r.out()).contains("verdict: FAIL (1 of 7 checks failed, 2 unknown)");
  }

  @Test
  void refusedPortFailsTheReachabilityCheck() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Run r =
        run(
            "postgresql://app:"
                + CANARY
                + "@127.0.0.1:"
                + port
                + "/appdb?sslmode=require&connection_limit=5");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.line("server-reachable-and-login-accepted"))
        .startsWith("FAIL")
        .contains("ConnectionRefused")
        .contains("P1001");
  }

  @Test
  void sslRequiredAgainstAServerWithoutSsl() {
    Run r = run(url(plain, "app", CANARY, "appdb", "?sslmode=require&connection_limit=5"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.line("server-reachable-and-login-accepted"))
        .startsWith("FAIL")
        .contains("SslNotSupported")
        .contains("P1011")
        .contains("does not support SSL");
  }

  @Test
  void missingDatabase() {
    Run r = run(url(tls, "app", CANARY, "nosuchdb", "?sslmode=require&connection_limit=5"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.line("server-reachable-and-login-accepted"))
        .startsWith("FAIL")
        .contains("DatabaseNotFound")
        .contains("P1003")
        .contains("database \"nosuchdb\" does not exist");
  }

  @Test
  void urlProblemsFailTheirOwnChecks() {
    // A remote host without TLS and without a pool size: two checks fail before any probe.
    Run r = run("postgresql://app:" + CANARY + "@db.example.invalid:5432/appdb?connect_timeout=1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.line("pool-parameters-present")).startsWith("FAIL").contains("connection_limit");
    assertThat(r.line("ssl-enabled")).startsWith("FAIL").contains("sslmode not set");
    assertThat(r.line("server-reachable-and-login-accepted")).contains("UnknownHost");

    Run prisma =
        run(
            "postgresql://app:"
                + CANARY
                + "@x-pooler.example.invalid/appdb"
                + "?sslmode=verify-full&connection_limit=3&connect_timeout=1");
    assertThat(prisma.line("ssl-enabled"))
        .startsWith("FAIL")
        .contains("treats verify-full as prefer");
    assertThat(prisma.line("pooler-detected")).startsWith("FAIL").contains("pgbouncer=true");
  }

  @Test
  void hiddenSessionStatesMakeIdleInTransactionUnknown() throws Exception {
    // A superuser session 'watcher' cannot see into, while watcher has no pg_read_all_stats.
    try (Connection other = tls.superuserConnection()) {
      Run r = run(url(tls, "watcher", CANARY, "appdb", "?sslmode=require&connection_limit=5"));
      assertThat(r.line("idle-in-transaction"))
          .startsWith("UNKNOWN")
          .contains("GRANT pg_read_all_stats TO watcher");
      assertThat(r.exit()).as("unknown is not a failure").isZero();
    }
  }

  @Test
  void badOrMissingInputExitsTwoWithoutEchoingIt() {
    Run bad = run("postgresql://app:" + CANARY + "@h:99999/db");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.line("url-well-formed")).startsWith("FAIL").contains("port out of range");
    assertThat(bad.out()).contains("connection string not shown").contains("verdict: BAD INPUT");

    Run none = run("", Map.of());
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("no connection string");
  }

  @Test
  void jsonReportForMachines() throws Exception {
    Run r =
        run(
            url(tls, "app", CANARY + "-wrong", "appdb", "?sslmode=require&connection_limit=5"),
            "--json");
    assertThat(r.exit()).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.get("exitCode").asInt()).isEqualTo(1);
    assertThat(report.get("verdict").asText()).isEqualTo("fail");
    assertThat(report.get("url").asText()).contains(":****@");
    assertThat(report.get("checks")).hasSize(7);
    JsonNode login = report.get("checks").get(3);
    assertThat(login.get("name").asText()).isEqualTo("server-reachable-and-login-accepted");
    assertThat(login.get("status").asText()).isEqualTo("fail");
    assertThat(login.get("message").asText()).contains("AuthenticationFailed");
  }

  private static java.util.Properties shopProps() {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("user", "app");
    props.setProperty("password", CANARY);
    props.setProperty("ApplicationName", "shop");
    return props;
  }

  @Test
  void printsWhoHoldsConnectionsByApplicationNameAndRoleAfterTheChecklist() throws Exception {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("user", "app");
    props.setProperty("password", CANARY);
    props.setProperty("ApplicationName", "nightly-report");
    List<Connection> cron = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        cron.add(java.sql.DriverManager.getConnection(plain.jdbcUrl("appdb"), props));
      }
      String doctored =
          url(
              plain,
              "app",
              CANARY,
              "appdb",
              "?sslmode=disable&connection_limit=5" + "&application_name=shop");
      Run text = run(doctored);
      List<String> lines = text.out().lines().toList();
      int verdict =
          lines.indexOf(
              lines.stream().filter(l -> l.startsWith("verdict:")).findFirst().orElseThrow());
      assertThat(lines.subList(verdict + 1, lines.size()))
          .as("after the checklist")
          .anyMatch(l -> l.contains("who holds connections"))
          .anyMatch(l -> l.matches("^ +3 +nightly-report +app *$"));
      // The URL's own sessions are named as such.
      try (Connection shop =
          java.sql.DriverManager.getConnection(plain.jdbcUrl("appdb"), shopProps())) {
        assertThat(run(doctored).out())
            .containsPattern("(?m)^ +1 +shop +app +this URL's application_name and role$");
      }

      Run json = run(doctored, "--json");
      JsonNode consumers = new ObjectMapper().readTree(json.out()).get("consumers");
      assertThat(consumers).isNotNull();
      assertThat(consumers.toString())
          .contains(
              "{\"applicationName\":\"nightly-report\",\"role\":\"app\",\"held\":3,"
                  + "\"standing\":\"NotBudgeted\"}");
    } finally {
      for (Connection c : cron) c.close();
    }
  }
}
