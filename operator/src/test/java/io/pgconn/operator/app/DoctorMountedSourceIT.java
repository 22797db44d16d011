package io.pgconn.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.ScratchDirs;
import io.pgconn.operator.testenv.TestCa;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code pgconn doctor --policy-spec}, what the {@code kubectl pgconn doctor} Pod runs: the
 * policy's source read from Secrets mounted as the kubelet mounts them (key files linked through
 * {@code ..data}), in each of the three shapes, verified against the policy's own CA, on a real
 * PostgreSQL 16 whose certificate a test CA signed. A wrong CA fails the TLS check, a missing key
 * is named with its Secret, and the password (every URL-hostile character) is printed nowhere.
 */
class DoctorMountedSourceIT {

  private static final String CANARY = "Canary-Doc@:/?#%&=+ é'\"";

  private static Path scratch;
  private static LocalPostgres pg;
  private static TestCa ca;
  private static TestCa wrongCa;
  private LogCapture logs;

  private record Run(int exit, String out, String err) {}

  @BeforeAll
  static void serverSignedByATestCa() throws IOException {
    scratch = Files.createTempDirectory("doctor-mounted-it-");
    ca = TestCa.create(scratch, "pgconn doctor test CA");
    wrongCa = TestCa.create(scratch, "an unrelated CA");
    pg = LocalPostgres.builder().version(16).ssl(true).start();
    TestCa.Issued server = ca.serverCertificate();
    pg.useServerCertificate(server.certificatePem(), server.privateKeyPem());
    pg.createRole("app", CANARY, null);
    pg.createDatabase("app", "app", null);
  }

  @AfterAll
  static void stop() throws IOException {
    if (pg != null) pg.close();
    ScratchDirs.delete(scratch);
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

  @Test
  void cloudNativePgFieldsWithTheirCaPassEveryCheck() throws IOException {
    Path source = cloudNativePgApp("cnpg-app");
    Path caDir = mounted("cnpg-ca", Map.of("ca.crt", ca.certificatePem()));

    Run run =
        doctor(
            "--namespace=shop",
            "--source-dir=" + source,
            "--ca-dir=" + caDir,
            "--policy-spec={\"source\":{\"fields\":{\"name\":\"cnpg-app\",\"sslmode\":\"sslmode\"},"
                + "\"caSecretRef\":{\"name\":\"cnpg-ca\",\"key\":\"ca.crt\"}}}");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("postgresql://app:****@" + LocalPostgres.HOST + ":" + pg.port() + "/app")
        .contains("sslmode=verify-full")
        .containsPattern("(?m)^PASS +server-reachable")
        .contains("verdict: PASS");
    assertNoCanary(run);
  }

  @Test
  void anRdsJsonSecretAndAUrlSecretAreReadInTheirShapes() throws IOException {
    String json =
        "{\"username\":\"app\",\"password\":\""
            + CANARY.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\",\"host\":\""
            + LocalPostgres.HOST
            + "\",\"port\":"
            + pg.port()
            + ",\"dbname\":\"app\"}";
    Path rds = mounted("rds", Map.of("credentials", json));
    Run fromJson =
        doctor(
            "--source-dir=" + rds,
            "--policy-spec={\"source\":{\"json\":{\"name\":\"rds\",\"key\":\"credentials\"}}}",
            "--json");
    assertThat(fromJson.exit()).as(fromJson.out() + fromJson.err()).isZero();
    // The operator's sslmode: spec.pool.sslMode's default, require, where the JSON sets none.
    assertThat(fromJson.out()).contains("\"verdict\" : \"pass\"").contains("sslmode=require");
    assertNoCanary(fromJson);

    Path url =
        mounted("db", Map.of("DATABASE_URL", pg.url("app", CANARY, "app") + "?sslmode=require"));
    Run fromUrl =
        doctor(
            "--source-dir=" + url,
            "--policy-spec={\"source\":{\"secretRef\":{\"name\":\"db\",\"key\":\"DATABASE_URL\"}},\"pool\":{\"sslMode\":\"prefer\",\"allowWeakerSsl\":true}}");
    assertThat(fromUrl.exit()).as(fromUrl.out() + fromUrl.err()).isZero();
    // Weakened below the source's require only because the spec allows it, as the operator does.
    assertThat(fromUrl.out()).contains("verdict: PASS").contains("sslmode=prefer");
    assertNoCanary(fromUrl);
  }

  @Test
  void aWrongCaFailsTheCheckThatConnects() throws IOException {
    Path source = cloudNativePgApp("cnpg-app-2");
    Path caDir = mounted("wrong-ca", Map.of("ca.crt", wrongCa.certificatePem()));

    Run run =
        doctor(
            "--source-dir=" + source,
            "--ca-dir=" + caDir,
            "--policy-spec={\"source\":{\"fields\":{\"name\":\"cnpg-app-2\",\"sslmode\":\"sslmode\"},"
                + "\"caSecretRef\":{\"name\":\"wrong-ca\",\"key\":\"ca.crt\"}}}");

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(DoctorCommand.FAILED);
    assertThat(run.out())
        .containsPattern("(?m)^FAIL +server-reachable-and-login-accepted")
        .contains("verdict: FAIL");
    assertNoCanary(run);
  }

  @Test
  void badInputNamesWhatIsMissingAndWhere() throws IOException {
    Path source = mounted("cnpg-app-3", Map.of("host", "db", "password", CANARY));
    Run missingKey =
        doctor(
            "--namespace=shop",
            "--source-dir=" + source,
            "--policy-spec={\"source\":{\"fields\":{\"name\":\"cnpg-app-3\"}}}");
    assertThat(missingKey.exit()).isEqualTo(DoctorCommand.BAD_INPUT);
    assertThat(missingKey.err())
        .contains("key port")
        .contains("shop/cnpg-app-3")
        .contains("spec.source.fields.port");
    assertNoCanary(missingKey);

    Run noDir = doctor("--policy-spec={\"source\":{\"secretRef\":{\"name\":\"db\"}}}");
    assertThat(noDir.exit()).isEqualTo(DoctorCommand.BAD_INPUT);
    assertThat(noDir.err()).contains("--source-dir");

    Run notJson = doctor("--source-dir=" + source, "--policy-spec=source: {fields: {name: x}}");
    assertThat(notJson.exit()).isEqualTo(DoctorCommand.BAD_INPUT);
    assertThat(notJson.err()).contains("--policy-spec is not a policy's spec as JSON");
  }

  /** CloudNativePG's {@code <cluster>-app} keys, with sslmode verify-full in a key of its own. */
  private static Path cloudNativePgApp(String secret) throws IOException {
    return mounted(
        secret,
        Map.of(
            "host",
            LocalPostgres.HOST,
            "port",
            Integer.toString(pg.port()),
            "dbname",
            "app",
            "user",
            "app",
            "password",
            CANARY,
            "sslmode",
            "verify-full"));
  }

  private static void assertNoCanary(Run run) {
    assertThat(run.out()).doesNotContain(CANARY).doesNotContain("Canary-Doc");
    assertThat(run.err()).doesNotContain(CANARY).doesNotContain("Canary-Doc");
  }

  /**
   * A Secret volume as the kubelet writes it: the files in a timestamped directory, {@code ..data}
   * linking to it, and one link per key through {@code ..data}.
   */
  private static Path mounted(String secret, Map<String, String> data) throws IOException {
    Path dir = Files.createDirectories(scratch.resolve("volumes").resolve(secret));
    Path stamped = Files.createDirectories(dir.resolve("..2026_12_02_10_00_00.000000001"));
    for (Map.Entry<String, String> e : data.entrySet()) {
      Files.writeString(stamped.resolve(e.getKey()), e.getValue());
    }
    Files.createSymbolicLink(dir.resolve("..data"), stamped.getFileName());
    for (String key : data.keySet()) {
      Files.createSymbolicLink(dir.resolve(key), Path.of("..data", key));
    }
    return dir;
  }

  private static Run doctor(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    DoctorCommand command = new DoctorCommand();
    command.setStreams(
        new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    command.setEnvironment(name -> null);
    int exit = new CommandLine(command).execute(args);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
