package io.pgconn.operator.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libpq (through psql) is the judge for libpq, pgx (unpooled) and env outputs: it connects to a
 * fake server that records the user, database, application_name and password libpq sends. Skipped
 * when psql is not installed. Kept to a few dozen psql runs (about 50 ms each).
 */
class LibpqJudgeTest {

  private static final int SAMPLES = 25;
  private static String psql;
  private static ExecutorService executor;

  @TempDir static Path home;

  @BeforeAll
  static void findPsql() {
    psql = findOnPath("psql");
    executor = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stop() {
    executor.shutdownNow();
  }

  private static String findOnPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }

  private record Result(int exitCode, String stderr) {}

  private static Result runPsql(String conninfo, Map<String, String> env) throws Exception {
    List<String> command = new ArrayList<>(List.of(psql, "-X", "-w", "-c", "select 1"));
    if (conninfo != null) {
      command.add(1, conninfo);
      command.add(1, "-d");
    }
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("HOME", home.toString()); // no ~/.pgpass or ~/.pg_service.conf
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "psql did not finish");
    return new Result(p.exitValue(), output);
  }

  /** Generated components, but hosts pointing at the fake server (after a refused one). */
  private static List<ConnectionString> samples(int port) {
    return Generators.connectionStrings(net.jqwik.api.Arbitraries.just(List.of()))
        .filter(cs -> cs.user() != null)
        .sampleStream()
        .limit(SAMPLES)
        .map(
            cs ->
                cs.withHosts(
                    List.of(new HostPort("127.0.0.1", 1), new HostPort("127.0.0.1", port))))
        .toList();
  }

  private static final PoolSettings PLAIN =
      new PoolSettings(7, 15, 4, 20, SslMode.PREFER, "judge", false);

  private void judge(OutputFormat format, boolean pooled) throws Exception {
    assumeTrue(psql != null, "psql not installed");
    try (FakePostgresServer server = new FakePostgresServer()) {
      for (ConnectionString cs : samples(server.port())) {
        RenderedOutput out = ConnectionStringRenderer.render(cs, format, "URL", PLAIN, pooled);
        Future<FakePostgresServer.Login> login = executor.submit(server::accept);
        Result r =
            format == OutputFormat.ENV
                ? runPsql(null, out.entries())
                : runPsql(out.get("URL"), Map.of());
        assertTrue(
            r.stderr().contains("judge: login refused")
                || r.stderr().contains("no password supplied"),
            () -> "libpq did not reach the server for " + cs.redacted() + ": " + r.stderr());
        FakePostgresServer.Login seen = login.get(20, TimeUnit.SECONDS);
        String what = cs.redacted();
        assertEquals(cs.user(), seen.startup().get("user"), what);
        assertEquals(
            cs.database() == null ? cs.user() : cs.database(),
            seen.startup().get("database"),
            what);
        assertEquals("judge", seen.startup().get("application_name"), what);
        String expectedPassword =
            cs.password() == null || cs.password().isEmpty() ? null : cs.password();
        assertEquals(expectedPassword, seen.password(), what);
        if (format != OutputFormat.ENV && cs.parameters().containsKey("options")) {
          assertEquals(cs.parameters().get("options"), seen.startup().get("options"), what);
        }
      }
    }
  }

  @Test
  void libpqOutputIsReadByLibpqAsWeMeantIt() throws Exception {
    judge(OutputFormat.LIBPQ, true);
  }

  @Test
  void unpooledPgxOutputIsValidLibpq() throws Exception {
    judge(OutputFormat.PGX, false);
  }

  @Test
  void envOutputIsReadByLibpqAsWeMeantIt() throws Exception {
    judge(OutputFormat.ENV, true);
  }

  @Test
  void unixSocketHostParameterReachesTheSocket(@TempDir Path dir) throws Exception {
    assumeTrue(psql != null, "psql not installed");
    Path socket = dir.resolve(".s.PGSQL.5499");
    try (var channel =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      channel.bind(java.net.UnixDomainSocketAddress.of(socket));
      ConnectionString cs =
          ConnectionStringParser.parse(
              "postgresql://u%40x:p%40ss@/d%2Fb?host=" + dir + "&port=5499");
      String url =
          ConnectionStringRenderer.render(cs, OutputFormat.LIBPQ, "URL", PoolSettings.NONE, true)
              .get("URL");
      Future<FakePostgresServer.Login> login =
          executor.submit(
              () -> {
                try (var client = channel.accept()) {
                  return FakePostgresServer.converse(
                      java.nio.channels.Channels.newInputStream(client),
                      java.nio.channels.Channels.newOutputStream(client));
                }
              });
      runPsql(url, Map.of());
      FakePostgresServer.Login seen = login.get(20, TimeUnit.SECONDS);
      assertEquals("u@x", seen.startup().get("user"));
      assertEquals("d/b", seen.startup().get("database"));
      assertEquals("p@ss", seen.password());
    }
  }

  @Test
  void libpqRejectsWhatTheLibpqWriterDrops() throws Exception {
    assumeTrue(psql != null, "psql not installed");
    String source = "postgresql://u@127.0.0.1:1/db?connection_limit=5&sslmode=disable";
    assertTrue(
        runPsql(source, Map.of()).stderr().contains("invalid URI query parameter"),
        "premise: libpq refuses pool parameters");
    String libpq =
        ConnectionStringRenderer.render(
                ConnectionStringParser.parse(source),
                OutputFormat.LIBPQ,
                "URL",
                PoolSettings.NONE,
                true)
            .get("URL");
    Result r = runPsql(libpq, Map.of());
    assertTrue(r.stderr().contains("Connection refused"), r.stderr());
  }

  @Test
  void keywordValueSourceParsesLikeLibpq() throws Exception {
    assumeTrue(psql != null, "psql not installed");
    try (FakePostgresServer server = new FakePostgresServer()) {
      String kv =
          "host=127.0.0.1 port="
              + server.port()
              + " user='a b\\'c' password=p\\ w dbname=d sslmode=disable";
      ConnectionString cs = ConnectionStringParser.parse(kv);
      Future<FakePostgresServer.Login> login = executor.submit(server::accept);
      runPsql(kv, Map.of());
      FakePostgresServer.Login seen = login.get(20, TimeUnit.SECONDS);
      assertEquals(seen.startup().get("user"), cs.user());
      assertEquals(seen.password(), cs.password());
      assertEquals(seen.startup().get("database"), cs.database());
    }
  }

  /**
   * libpq accepts every ssl parameter the libpq and env outputs carry from a verify-full source,
   * and asks the server for TLS with them (the fake server declines, so libpq stops there).
   */
  @Test
  void libpqTakesTheSourcesSslParametersAndKeepsItsMode() throws Exception {
    assumeTrue(psql != null, "psql not installed");
    try (FakePostgresServer server = new FakePostgresServer()) {
      ConnectionString cs =
          ConnectionStringParser.parse(
              "postgresql://app:pw@127.0.0.1:"
                  + server.port()
                  + "/app?sslmode=verify-full&sslrootcert=/etc/ca/root.pem"
                  + "&sslcert=/etc/tls/client.crt&sslkey=/etc/tls/client.key&sslcrl=/etc/ca/crl.pem");
      SslMode mode = TlsFloor.effective(cs, SslMode.REQUIRE, false);
      PoolSettings pool = new PoolSettings(7, 15, 4, 20, mode, "judge", false);
      for (OutputFormat format : List.of(OutputFormat.LIBPQ, OutputFormat.ENV)) {
        RenderedOutput out = ConnectionStringRenderer.render(cs, format, "URL", pool, true);
        if (format == OutputFormat.ENV) {
          assertEquals("verify-full", out.get("PGSSLMODE"));
          assertEquals("/etc/ca/root.pem", out.get("PGSSLROOTCERT"));
          assertEquals("/etc/ca/crl.pem", out.get("PGSSLCRL"));
        } else {
          assertTrue(out.get("URL").contains("sslmode=verify-full"), out.get("URL"));
          assertTrue(out.get("URL").contains("sslrootcert=%2Fetc%2Fca%2Froot.pem"), out.get("URL"));
        }
        executor.submit(server::accept);
        Result r =
            format == OutputFormat.ENV
                ? runPsql(null, out.entries())
                : runPsql(out.get("URL"), Map.of());
        assertTrue(
            r.stderr().contains("server does not support SSL, but SSL was required"),
            () -> format + ": " + r.stderr());
      }
    }
  }
}
