package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.examples.ExampleFiles;
import io.pgconn.operator.testenv.ClientProcess;
import io.pgconn.operator.testenv.NodePg;
import io.pgconn.operator.testenv.ScratchDirs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The railway and neon examples name hosts no test can reach, so their rendered outputs are judged
 * by parsers only: java.net.URI (RFC 3986, the grammar Prisma's query engine parses with) and
 * node-postgres's pg-connection-string from npm (what {@code @prisma/adapter-pg} hands the URL to;
 * skipped with the reason when node or the install is unavailable). What each must see: Railway's
 * public proxy host and port (not *.railway.internal), TLS required; Neon's -pooler host without
 * pgbouncer=true and the direct host for migrations, TLS required.
 */
class HostedProviderExamplesIT {

  private static final ContentHash HASH = ContentHash.keyed(new byte[ContentHash.KEY_BYTES]);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path scratch;

  @BeforeAll
  static void scratch() throws IOException {
    scratch = Files.createTempDirectory("hosted-provider-examples-");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    ScratchDirs.delete(scratch);
  }

  @Test
  void railwayReadsThePublicProxyUrl() throws Exception {
    Map<String, String> data = render("railway/policy.yaml");
    String url = data.get("DATABASE_URL");
    URI uri = new URI(url);
    assertThat(uri.getHost()).endsWith(".proxy.rlwy.net").doesNotContain("railway.internal");
    assertThat(uri.getPort()).isEqualTo(41234);
    assertThat(uri.getPath()).isEqualTo("/railway");
    assertThat(query(uri)).containsEntry("sslmode", "require").containsKey("connection_limit");

    JsonNode pg = pgConnectionString(url);
    assertThat(pg.path("host").asText()).isEqualTo(uri.getHost());
    assertThat(pg.path("port").asText()).isEqualTo("41234");
    assertThat(pg.path("database").asText()).isEqualTo("railway");
    assertThat(pg.path("user").asText()).isEqualTo("postgres");
    assertThat(pg.path("password").asText()).isEqualTo("change-me");
    assertThat(pg.path("sslmode").asText()).isEqualTo("require");
    JsonNode ssl = pg.path("ssl");
    assertThat(ssl.isMissingNode() || ssl.isNull() || ssl.isBoolean() && !ssl.asBoolean())
        .as("TLS off for node-postgres: %s", pg)
        .isFalse();
  }

  @Test
  void neonPoolsThroughThePoolerWithoutPgbouncerModeAndMigratesDirect() throws Exception {
    Map<String, String> data = render("neon/policy.yaml");
    URI pooled = new URI(data.get("DATABASE_URL"));
    URI direct = new URI(data.get("DIRECT_URL"));
    assertThat(pooled.getHost())
        .isEqualTo("ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech");
    assertThat(query(pooled))
        .doesNotContainKey("pgbouncer")
        .containsEntry("sslmode", "require")
        .containsKey("connection_limit");
    assertThat(direct.getHost()).isEqualTo("ep-cool-darkness-123456.us-east-2.aws.neon.tech");
    assertThat(query(direct))
        .doesNotContainKeys("pgbouncer", "connection_limit")
        .containsEntry("sslmode", "require");

    for (URI uri : List.of(pooled, direct)) {
      JsonNode pg = pgConnectionString(uri.toString());
      assertThat(pg.path("host").asText()).isEqualTo(uri.getHost());
      assertThat(pg.path("database").asText()).isEqualTo("shop");
      assertThat(pg.path("user").asText()).isEqualTo("app");
      assertThat(pg.path("sslmode").asText()).isEqualTo("require");
      assertThat(pg.has("pgbouncer")).as("%s", pg).isFalse();
    }
  }

  // ----------------------------------------------------------------------------------------------

  private static Map<String, String> render(String example) throws Exception {
    Path file = ExampleFiles.root().resolve(example);
    PostgresConnectionPolicy policy =
        ExampleFiles.load(file).stream()
            .filter(PostgresConnectionPolicy.class::isInstance)
            .map(PostgresConnectionPolicy.class::cast)
            .findFirst()
            .orElseThrow();
    policy.getMetadata().setGeneration(1L);
    return ExampleInputs.of(file, policy).render(policy, 5, HASH).data();
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> out = new HashMap<>();
    if (uri.getQuery() == null) return out;
    for (String pair : uri.getQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      out.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    return out;
  }

  /** pg-connection-string's parse() of the URL, as JSON. */
  private static JsonNode pgConnectionString(String url) throws Exception {
    Path dir = NodePg.installed(scratch);
    // pg's own copy of pg-connection-string, the parser a Pool uses for connectionString.
    Path parse =
        NodePg.script(
            dir,
            "parse.js",
            "const parse = require(require.resolve('pg-connection-string',"
                + " { paths: [require.resolve('pg')] }));",
            "const c = parse(process.env.JUDGE);",
            "console.log(JSON.stringify(c, (k, v) => (v === undefined ? null : v)));");
    ClientProcess.Result r =
        ClientProcess.run(
            scratch, List.of("node", parse.toString()), Map.of("JUDGE", url), dir, 60);
    assertThat(r.exit()).as("node: %s", r.err()).isZero();
    return JSON.readTree(r.out());
  }
}
