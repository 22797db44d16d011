package io.pgconn.operator.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgconn.operator.testenv.ClientProcess;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.NodePg;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.ScratchDirs;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every output format, rendered from a policy, really connects to a real PostgreSQL (16 with
 * ssl=on, and the same pass on 17) as a role whose password holds every URL-hostile character, to a
 * database whose name has a space and a dash; each client reports back the user, database,
 * application_name and whether the session is encrypted, as the server saw them.
 *
 * <p>The judges are the real clients:
 *
 * <ul>
 *   <li>libpq (psql, /usr/bin/psql; skipped when absent) for the libpq output, the unpooled pgx
 *       output, the env output (PG* variables, no URL) and, with sslmode=verify-full, for the proof
 *       that the written sslmode is what the client enforces;
 *   <li>libpq also rejects the pooled pgx output ({@code invalid URI query parameter}) because of
 *       its pool_* keys: pgx URLs are for pgx only;
 *   <li>pgjdbc ({@link DriverManager}) for the jdbc output, both the single URL with credentials
 *       and the SPRING_DATASOURCE_* URL + username + password;
 *   <li>node-postgres ({@code pg} 8 from the npm registry, installed into a temporary directory on
 *       first use; skipped with the reason when node, npm or the install is unavailable) for the
 *       node-postgres output, through {@code new pg.Pool} fed with the _POOL_* entries.
 * </ul>
 *
 * <p>Prisma: there is no Prisma query engine here, so its output is judged only as far as other
 * parsers can: {@link URI} (an RFC 3986 parser, like the url crate Prisma reads it with) must
 * decode the same host, port, user, password and database, and psql must connect with it once the
 * Prisma-only parameters (connection_limit, pool_timeout, socket_timeout, ...) are stripped.
 * Whether Prisma honours those parameters is not proven here.
 */
class RenderedUrlsConnectIT {

  static final String USER = "url proof-user";

  /** Every character that has a meaning somewhere in a URL, plus quotes and a backslash. */
  static final String PASSWORD = "p@ss:w/rd?x#y&z=1+2% é'\"\\end";

  static final String DATABASE = "app db-1";

  /**
   * Not a plain word either: '+', '&', '=', '/' and a space must survive every client's decoder.
   */
  static final String APP = "url-proof app+1&x=y/z";

  static final String KEY = "DATABASE_URL";
  static final Path PSQL = Path.of("/usr/bin/psql");

  /** One line from every client: user|database|application_name|ssl (t or f), server's view. */
  static final String WHO =
      "select concat_ws('|', current_user, current_database(),"
          + " (select application_name from pg_stat_activity where pid = pg_backend_pid()),"
          + " (select case when ssl then 't' else 'f' end from pg_stat_ssl where pid = pg_backend_pid()))";

  private static Path scratch;
  private static Path unrelatedCa;

  @BeforeAll
  static void prepare() throws Exception {
    scratch = Files.createTempDirectory("rendered-urls-it-");
    Files.createDirectories(scratch.resolve("home")); // empty HOME: no .pgpass, no root.crt
    unrelatedCa = scratch.resolve("unrelated-ca.crt");
    ClientProcess.Result ca =
        ClientProcess.run(
            scratch,
            List.of(
                "openssl",
                "req",
                "-x509",
                "-nodes",
                "-days",
                "1",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-subj",
                "/CN=unrelated test CA",
                "-keyout",
                scratch.resolve("unrelated-ca.key").toString(),
                "-out",
                unrelatedCa.toString()),
            Map.of(),
            scratch,
            60);
    assertEquals(0, ca.exit(), ca.err());
  }

  @AfterAll
  static void cleanUp() throws IOException {
    ScratchDirs.delete(scratch);
  }

  @Nested
  @OperatorEnvironment(
      controlPlane = ControlPlane.NONE,
      operator = false,
      postgres = 16,
      ssl = true)
  class Postgres16 extends AgainstServer {
    Postgres16(LocalPostgres pg) {
      super(16, pg);
    }
  }

  @Nested
  @OperatorEnvironment(
      controlPlane = ControlPlane.NONE,
      operator = false,
      postgres = 17,
      ssl = true)
  class Postgres17 extends AgainstServer {
    Postgres17(LocalPostgres pg) {
      super(17, pg);
    }
  }

  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class AgainstServer {

    private final int version;
    private final LocalPostgres pg;
    private Path serverCert;

    AgainstServer(int version, LocalPostgres pg) {
      this.version = version;
      this.pg = pg;
    }

    @BeforeAll
    void prepareServer() throws IOException {
      pg.createRole(USER, PASSWORD, null);
      pg.createDatabase(DATABASE, USER, null);
      serverCert = scratch.resolve("server-" + version + ".crt");
      Files.copy(pg.dataDir().resolve("server.crt"), serverCert);
    }

    /** The source as a user would paste it: LocalPostgres percent-encodes independently of us. */
    ConnectionString source() throws InvalidConnectionStringException {
      ConnectionString cs = ConnectionStringParser.parse(pg.url(USER, PASSWORD, DATABASE));
      assertEquals(PASSWORD, cs.password());
      assertEquals(DATABASE, cs.database());
      return cs;
    }

    static PoolSettings policy(String sslmode) {
      return new PoolSettings(5, 10, 5, 30, SslMode.parse(sslmode), APP, false);
    }

    static String expected(String sslmode) {
      return USER + "|" + DATABASE + "|" + APP + "|" + ("disable".equals(sslmode) ? "f" : "t");
    }

    RenderedOutput render(OutputFormat format, String sslmode, boolean pooled) throws Exception {
      return ConnectionStringRenderer.render(source(), format, KEY, policy(sslmode), pooled);
    }

    // ------------------------------------------------------------------------------------------
    // libpq

    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"require", "disable"})
    void libpqOutputConnectsWithPsql(String sslmode) throws Exception {
      String url = render(OutputFormat.LIBPQ, sslmode, true).get(KEY);
      assertEquals(expected(sslmode), psqlWho(url, Map.of()), url.replace(PASSWORD, "****"));
    }

    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"require", "disable"})
    void unpooledPgxOutputConnectsWithPsql(String sslmode) throws Exception {
      String url = render(OutputFormat.PGX, sslmode, false).get(KEY);
      assertFalse(url.contains("pool_"), "an unpooled pgx URL has no pool_* keys");
      assertEquals(expected(sslmode), psqlWho(url, Map.of()));
    }

    /** Why pgx URLs are for pgx only: libpq refuses pgxpool's keys. */
    @Test
    void pooledPgxOutputIsRejectedByLibpq() throws Exception {
      assumeTrue(Files.isExecutable(PSQL), "psql (libpq) not installed at " + PSQL);
      String url = render(OutputFormat.PGX, "require", true).get(KEY);
      assertTrue(url.contains("pool_max_conns=5"), "pooled pgx output carries pool_max_conns");
      ClientProcess.Result r = psql(url, Map.of());
      assertNotEquals(0, r.exit(), "psql accepted a URL with pool_max_conns");
      assertTrue(r.err().contains("invalid URI query parameter"), r.err());
    }

    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"require", "disable"})
    void envOutputConnectsWithPsqlAndNoUrl(String sslmode) throws Exception {
      Map<String, String> env = render(OutputFormat.ENV, sslmode, true).entries();
      assertEquals(PASSWORD, env.get("PGPASSWORD"));
      assertEquals(expected(sslmode), psqlWho(null, env));
    }

    // ------------------------------------------------------------------------------------------
    // sslmode=verify-full is enforced, not just written

    @Test
    void verifyFullIsEnforcedByLibpq() throws Exception {
      assumeTrue(Files.isExecutable(PSQL), "psql (libpq) not installed at " + PSQL);
      ConnectionString cs = source();
      PoolSettings verifyFull = policy("verify-full");

      String noRoot =
          ConnectionStringRenderer.render(cs, OutputFormat.LIBPQ, KEY, verifyFull, true).get(KEY);
      assertTrue(noRoot.contains("sslmode=verify-full"), noRoot.replace(PASSWORD, "****"));
      ClientProcess.Result r1 = psql(noRoot, Map.of());
      assertNotEquals(0, r1.exit());
      assertTrue(r1.err().contains("root certificate file"), r1.err());

      String wrongCa =
          ConnectionStringRenderer.render(
                  cs.withParameter("sslrootcert", unrelatedCa.toString()),
                  OutputFormat.LIBPQ,
                  KEY,
                  verifyFull,
                  true)
              .get(KEY);
      ClientProcess.Result r2 = psql(wrongCa, Map.of());
      assertNotEquals(
          0, r2.exit(), "libpq connected with verify-full to a server its CA did not sign");
      assertTrue(r2.err().contains("certificate verify failed"), r2.err());

      // Control: the same URL trusting the server's own certificate connects, so the failure
      // above is the verification and nothing else.
      String rightCa =
          ConnectionStringRenderer.render(
                  cs.withParameter("sslrootcert", serverCert.toString()),
                  OutputFormat.LIBPQ,
                  KEY,
                  verifyFull,
                  true)
              .get(KEY);
      assertEquals(expected("verify-full"), psqlWho(rightCa, Map.of()));
    }

    @Test
    void verifyFullIsEnforcedByPgjdbc() throws Exception {
      ConnectionString cs = source();
      PoolSettings verifyFull = policy("verify-full");
      String wrongCa =
          ConnectionStringRenderer.render(
                  cs.withParameter("sslrootcert", unrelatedCa.toString()),
                  OutputFormat.JDBC,
                  KEY,
                  verifyFull,
                  true)
              .get(KEY);
      assertTrue(wrongCa.contains("sslmode=verify-full"));
      SQLException e = assertThrows(SQLException.class, () -> jdbcWho(wrongCa, null, null));
      assertTrue(String.valueOf(e.getMessage()).contains("SSL"), e.getMessage());

      String rightCa =
          ConnectionStringRenderer.render(
                  cs.withParameter("sslrootcert", serverCert.toString()),
                  OutputFormat.JDBC,
                  KEY,
                  verifyFull,
                  true)
              .get(KEY);
      assertEquals(expected("verify-full"), jdbcWho(rightCa, null, null));
    }

    // ------------------------------------------------------------------------------------------
    // pgjdbc

    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"require", "disable"})
    void jdbcOutputConnectsWithPgjdbc(String sslmode) throws Exception {
      RenderedOutput out = render(OutputFormat.JDBC, sslmode, true);
      assertEquals(
          expected(sslmode), jdbcWho(out.get(KEY), null, null), "single URL with credentials");

      String springUrl = out.get("SPRING_DATASOURCE_URL");
      assertFalse(springUrl.contains("password"), "the Spring URL carries no credentials");
      assertEquals(
          expected(sslmode),
          jdbcWho(
              springUrl,
              out.get("SPRING_DATASOURCE_USERNAME"),
              out.get("SPRING_DATASOURCE_PASSWORD")),
          "SPRING_DATASOURCE_URL + USERNAME + PASSWORD");
      assertEquals("5", out.get("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE"));
      assertEquals("10000", out.get("SPRING_DATASOURCE_HIKARI_CONNECTION_TIMEOUT"));
    }

    // ------------------------------------------------------------------------------------------
    // Prisma (no engine here: see the class comment)

    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"require", "disable"})
    void prismaOutputMeansTheSameToOtherParsersAndLibpqConnects(String sslmode) throws Exception {
      String url = render(OutputFormat.PRISMA, sslmode, true).get(KEY);
      URI uri = new URI(url);
      assertEquals("postgresql", uri.getScheme());
      assertEquals(LocalPostgres.HOST, uri.getHost());
      assertEquals(pg.port(), uri.getPort());
      String userInfo = uri.getUserInfo(); // decoded; USER has no ':', so the first one splits
      int colon = userInfo.indexOf(':');
      assertEquals(USER, userInfo.substring(0, colon));
      assertEquals(PASSWORD, userInfo.substring(colon + 1));
      assertEquals("/" + DATABASE, uri.getPath());

      Map<String, String> query = queryOf(uri.getRawQuery());
      assertEquals("5", query.get("connection_limit"));
      assertEquals("10", query.get("pool_timeout"));
      assertEquals("30", query.get("socket_timeout"));
      assertEquals(sslmode, query.get("sslmode"));

      String forLibpq =
          url.substring(0, url.indexOf('?'))
              + "?"
              + Stream.of(uri.getRawQuery().split("&"))
                  .filter(p -> !PRISMA_ONLY.contains(p.substring(0, p.indexOf('='))))
                  .collect(Collectors.joining("&"));
      assertEquals(expected(sslmode), psqlWho(forLibpq, Map.of()));
    }

    private static final Set<String> PRISMA_ONLY =
        Set.of(
            "connection_limit",
            "pool_timeout",
            "socket_timeout",
            "pgbouncer",
            "schema",
            "statement_cache_size",
            "sslaccept",
            "sslidentity",
            "max_connection_lifetime",
            "max_idle_connection_lifetime");

    private static Map<String, String> queryOf(String rawQuery) {
      return Stream.of(rawQuery.split("&"))
          .map(p -> p.split("=", 2))
          .collect(
              Collectors.toMap(
                  kv -> kv[0],
                  kv -> URLDecoder.decode(kv[1].replace("+", "%2B"), StandardCharsets.UTF_8)));
    }

    // ------------------------------------------------------------------------------------------
    // node-postgres

    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"require", "disable"})
    void nodePostgresOutputConnectsWithPg(String sslmode) throws Exception {
      Path dir = nodePg();
      RenderedOutput out = render(OutputFormat.NODE_POSTGRES, sslmode, true);
      assertEquals("5", out.get(KEY + "_POOL_MAX"));
      assertEquals("10000", out.get(KEY + "_POOL_CONNECTION_TIMEOUT_MILLIS"));
      assertNotNull(out.get(KEY + "_POOL_IDLE_TIMEOUT_MILLIS"));
      ClientProcess.Result r =
          ClientProcess.run(
              scratch, List.of("node", dir.resolve("who.js").toString()), out.entries(), dir, 60);
      assertEquals(0, r.exit(), r.err());
      assertEquals(expected(sslmode), r.out().strip());
    }

    // ------------------------------------------------------------------------------------------
    // Prisma 7 with @prisma/adapter-pg: pg-connection-string reads the URL, a pg Pool is built
    // from the _POOL_* entries exactly as new PrismaPg({ connectionString, max, ... }) builds it.

    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"disable", "require", "verify-ca", "verify-full"})
    void prismaAdapterPgOutputIsReadByPgAsThePolicySays(String sslmode) throws Exception {
      Path dir = nodePg();
      boolean verifies = sslmode.startsWith("verify");
      ConnectionString cs =
          verifies ? source().withParameter("sslrootcert", serverCert.toString()) : source();
      PoolSettings policy = policy(sslmode);
      RenderedOutput out =
          ConnectionStringRenderer.render(cs, OutputFormat.PRISMA_ADAPTER_PG, KEY, policy, true);
      ClientProcess.Result r =
          ClientProcess.run(
              scratch,
              List.of("node", dir.resolve("adapter.js").toString()),
              out.entries(),
              dir,
              60);
      assertEquals(0, r.exit(), r.err());
      String[] lines = r.out().strip().split("\n");
      JsonNode seen = new ObjectMapper().readTree(lines[0]);
      // The pool is the policy's: limit, pool timeout (ms), pg's idle default.
      assertEquals(policy.connectionLimit().intValue(), seen.get("max").asInt());
      assertEquals(
          policy.poolTimeoutSeconds() * 1000L, seen.get("connectionTimeoutMillis").asLong());
      assertEquals(10_000, seen.get("idleTimeoutMillis").asInt());
      // TLS as pg-connection-string reads it means what the policy's sslmode means.
      String expectedSsl =
          switch (sslmode) {
            case "disable" -> "\"false\""; // ssl: false, printed with String()
            case "require" ->
                "{\"rejectUnauthorized\":\"false\",\"ca\":false,\"hostCheck\":\"default\"}";
            case "verify-ca" ->
                "{\"rejectUnauthorized\":\"default\",\"ca\":true,\"hostCheck\":\"skipped\"}";
            default -> "{\"rejectUnauthorized\":\"default\",\"ca\":true,\"hostCheck\":\"default\"}";
          };
      assertEquals(expectedSsl, seen.get("ssl").toString());
      assertEquals(expected(sslmode), lines[1]);
    }

    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"verify-ca", "verify-full"})
    void prismaAdapterPgOutputRefusesAServerItsCaDidNotSign(String sslmode) throws Exception {
      Path dir = nodePg();
      RenderedOutput out =
          ConnectionStringRenderer.render(
              source().withParameter("sslrootcert", unrelatedCa.toString()),
              OutputFormat.PRISMA_ADAPTER_PG,
              KEY,
              policy(sslmode),
              true);
      ClientProcess.Result r =
          ClientProcess.run(
              scratch,
              List.of("node", dir.resolve("adapter.js").toString()),
              out.entries(),
              dir,
              60);
      assertNotEquals(0, r.exit(), "pg connected to a server the policy's CA did not sign");
      assertFalse(r.err().contains(PASSWORD), "the password stays out of pg's error");
    }

    // ------------------------------------------------------------------------------------------
    // Clients

    private ClientProcess.Result psql(String url, Map<String, String> env) throws Exception {
      List<String> command =
          new ArrayList<>(List.of(PSQL.toString(), "-X", "-w", "-At", "-c", WHO));
      if (url != null) {
        command.addAll(List.of("-d", url));
      }
      return ClientProcess.run(scratch, command, env, scratch, 30);
    }

    /** psql's one line, failing the test with psql's message when it did not connect. */
    private String psqlWho(String url, Map<String, String> env) throws Exception {
      assumeTrue(Files.isExecutable(PSQL), "psql (libpq) not installed at " + PSQL);
      ClientProcess.Result r = psql(url, env);
      assertEquals(0, r.exit(), () -> "psql failed: " + r.err());
      return r.out().strip();
    }

    private static String jdbcWho(String url, String user, String password) throws SQLException {
      try (Connection c =
              user == null
                  ? DriverManager.getConnection(url)
                  : DriverManager.getConnection(url, user, password);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(WHO)) {
        assertTrue(rs.next());
        return rs.getString(1);
      }
    }

    /** pg installed, with who.js and adapter.js (Prisma 7's adapter as it builds its Pool). */
    private Path nodePg() {
      Path dir = NodePg.installed(scratch);
      NodePg.whoScript(dir, KEY, WHO);
      // Prisma 7's adapter: new PrismaPg({ connectionString, max, connectionTimeoutMillis,
      // idleTimeoutMillis }) hands this config to a pg Pool. Line 1: what pg read; line 2: WHO.
      NodePg.script(
          dir,
          "adapter.js",
          "const { Pool } = require('pg');",
          "const { parse } = require('pg-connection-string');",
          "const env = process.env;",
          "const url = env." + KEY + ";",
          "const ssl = parse(url).ssl;",
          "const sslSeen = typeof ssl === 'object' && ssl !== null",
          "  ? { rejectUnauthorized: ssl.rejectUnauthorized === undefined ? 'default'",
          "        : String(ssl.rejectUnauthorized),",
          "      ca: ssl.ca !== undefined,",
          "      hostCheck: typeof ssl.checkServerIdentity === 'function' ? 'skipped' : 'default' }",
          "  : String(ssl);",
          "const pool = new Pool({",
          "  connectionString: url,",
          "  max: Number(env." + KEY + "_POOL_MAX),",
          "  connectionTimeoutMillis: Number(env." + KEY + "_POOL_CONNECTION_TIMEOUT_MILLIS),",
          "  idleTimeoutMillis: Number(env." + KEY + "_POOL_IDLE_TIMEOUT_MILLIS),",
          "});",
          "const o = pool.options;",
          "console.log(JSON.stringify({ ssl: sslSeen, max: o.max,",
          "  connectionTimeoutMillis: o.connectionTimeoutMillis,",
          "  idleTimeoutMillis: o.idleTimeoutMillis }));",
          "pool.query(" + NodePg.jsString(WHO) + ")",
          "  .then((r) => { console.log(Object.values(r.rows[0])[0]); return pool.end(); })",
          "  .catch((e) => { console.error(e.message); process.exit(1); });");
      return dir;
    }
  }
}
