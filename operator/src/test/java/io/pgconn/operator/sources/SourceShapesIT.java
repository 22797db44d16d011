package io.pgconn.operator.sources;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.CaSecretRef;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.api.SourceFieldsSpec;
import io.pgconn.operator.api.SourceJsonSpec;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.testenv.ScratchDirs;
import io.pgconn.operator.testenv.TestCa;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Sources as providers hand them out, on a real kube-apiserver, the real operator and a real
 * PostgreSQL 16 whose server certificate a test CA signed: CloudNativePG's {@code <cluster>-app}
 * keys with its {@code <cluster>-ca}, an RDS secret's JSON with a CA bundle, both Ready under probe
 * Enforce with verify-full; a wrong CA holds the last content; a password with every URL-hostile
 * character and non-ASCII text logs in through what the operator wrote (psql and pgjdbc as judges,
 * reading the CA from the mount path as a pod would); the password appears nowhere else.
 */
@OperatorEnvironment(
    logs = true,
    postgres = 16,
    ssl = true,
    maxConnections = 60,
    deleteOnExistingCluster = {"cnpg", "rds", "wrongca", "badsrc"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SourceShapesIT {

  /** URL structure, percent, quotes, a space and non-ASCII (Latin and CJK). */
  static final String CANARY = "Canary-Pa55@:/?#%&=+ é日本'\"";

  static final String RDS_CANARY = "Canary-Rds#Pa55:/@%ß";
  static final Path PSQL = Path.of("/usr/bin/psql");

  private static Path scratch;
  private static TestCa ca;
  private static TestCa wrongCa;

  private final KubernetesClient client;
  private final ClusterFixtures k8s;
  private final LogCapture logs;

  SourceShapesIT(KubernetesClient client, ClusterFixtures k8s, LogCapture logs) {
    this.client = client;
    this.k8s = k8s;
    this.logs = logs;
  }

  @BeforeAll
  static void serverSignedByATestCa(LocalPostgres postgres) throws IOException {
    scratch = Files.createTempDirectory("source-shapes-it-");
    Files.createDirectories(scratch.resolve("home"));
    ca = TestCa.create(scratch, "pgconn test CA");
    wrongCa = TestCa.create(scratch, "an unrelated CA");
    TestCa.Issued server = ca.serverCertificate();
    postgres.useServerCertificate(server.certificatePem(), server.privateKeyPem());
    postgres.createRole("app", CANARY, null);
    postgres.createDatabase("app", "app", null);
    postgres.createRole("billing", RDS_CANARY, null);
    postgres.createDatabase("billing", "billing", null);
  }

  @AfterAll
  static void cleanUp() throws IOException {
    ScratchDirs.delete(scratch);
  }

  /** CloudNativePG's {@code <cluster>-app} Secret, keys as it writes them. */
  static Map<String, String> cloudNativePgApp(LocalPostgres postgres) {
    return Map.of(
        "host", LocalPostgres.HOST,
        "port", Integer.toString(postgres.port()),
        "dbname", "app",
        "user", "app",
        "username", "app",
        "password", CANARY,
        "uri", "postgresql://app:not-this-one@shop-db-rw.cnpg:5432/app",
        "jdbc-uri", "jdbc:postgresql://shop-db-rw.cnpg:5432/app?password=not-this-one&user=app");
  }

  static List<OutputSpec> everyDialect() {
    return List.of(
        new OutputSpec("DATABASE_URL", OutputFormatName.libpq, true),
        new OutputSpec("JDBC_DATABASE_URL", OutputFormatName.jdbc, true),
        new OutputSpec("NODE_DATABASE_URL", OutputFormatName.node_postgres, true),
        new OutputSpec("PGX_DATABASE_URL", OutputFormatName.pgx, false),
        new OutputSpec(null, OutputFormatName.env, true));
  }

  private PostgresConnectionPolicy policy(String ns, Consumer<PolicySpec> source) {
    PostgresConnectionPolicy policy =
        Policies.policy(
            ns,
            "shop",
            "unused",
            spec -> {
              spec.getSource().setSecretRef(null);
              source.accept(spec);
              spec.getPool().setConnectionLimit(3);
              spec.getPool().setSslMode("verify-full");
              spec.getProbe().setMode(ProbeMode.Enforce);
              spec.getTarget().setOutputs(everyDialect());
            });
    return policy;
  }

  private static CaSecretRef caRef(String name, String key, Path mountPath) {
    return new CaSecretRef(name, key, mountPath.toString());
  }

  @Test
  @Order(1)
  void cloudNativePgAppAndCaSecretsReachReadyWithVerifyFullUnderEnforce(LocalPostgres postgres)
      throws Exception {
    String ns = "cnpg";
    k8s.namespace(ns);
    k8s.secret(ns, "shop-db-app", cloudNativePgApp(postgres));
    k8s.secret(
        ns,
        "shop-db-ca",
        Map.of("ca.crt", ca.certificatePem(), "ca.key", "not read by the operator"));
    Path mount = scratch.resolve("cnpg/ca.crt");
    k8s.create(
        policy(
            ns,
            spec -> {
              SourceFieldsSpec fields = new SourceFieldsSpec();
              fields.setName("shop-db-app");
              spec.getSource().setFields(fields);
              spec.getSource().setCaSecretRef(caRef("shop-db-ca", "ca.crt", mount));
            }));
    k8s.awaitReady(ns, "shop");
    assertThat(k8s.condition(ns, "shop", "ConnectionVerified").map(Condition::getStatus))
        .contains("True");

    Map<String, String> data = targetData(ns);
    assertThat(data).containsEntry("ca.crt", ca.certificatePem());
    // The pod's view: the target's ca.crt mounted at the documented path.
    Files.createDirectories(mount.getParent());
    Files.writeString(mount, data.get("ca.crt"), StandardCharsets.UTF_8);
    String who = "app|app|t";
    assertThat(psqlWho(data.get("DATABASE_URL"), Map.of())).isEqualTo(who);
    assertThat(psqlWho(data.get("PGX_DATABASE_URL"), Map.of())).isEqualTo(who);
    Map<String, String> env = new java.util.TreeMap<>(data);
    env.keySet().removeIf(k -> !k.startsWith("PG"));
    assertThat(env).containsEntry("PGSSLROOTCERT", mount.toString());
    assertThat(psqlWho(null, env)).isEqualTo(who);
    assertThat(jdbcWho(data.get("JDBC_DATABASE_URL"))).isEqualTo(who);
    assertThat(data.get("NODE_DATABASE_URL")).contains("sslrootcert=");
  }

  @Test
  @Order(2)
  void anRdsJsonSecretWithACaBundleReachesReadyWithVerifyFullUnderEnforce(LocalPostgres postgres)
      throws Exception {
    String ns = "rds";
    k8s.namespace(ns);
    String json =
        "{\"username\":\"billing\",\"password\":"
            + jsonString(RDS_CANARY)
            + ",\"engine\":\"postgres\",\"host\":\""
            + LocalPostgres.HOST
            + "\",\"port\":"
            + postgres.port()
            + ",\"dbname\":\"billing\",\"dbInstanceIdentifier\":\"billing\"}";
    k8s.secret(ns, "billing-db", Map.of("secretString", json));
    // A bundle, as RDS's global-bundle.pem: the signing CA is not the first certificate.
    k8s.secret(
        ns, "rds-ca", Map.of("global-bundle.pem", wrongCa.certificatePem() + ca.certificatePem()));
    Path mount = scratch.resolve("rds/global-bundle.pem");
    k8s.create(
        policy(
            ns,
            spec -> {
              spec.getSource().setJson(new SourceJsonSpec("billing-db", "secretString"));
              spec.getSource().setCaSecretRef(caRef("rds-ca", "global-bundle.pem", mount));
            }));
    k8s.awaitReady(ns, "shop");
    Map<String, String> data = targetData(ns);
    Files.createDirectories(mount.getParent());
    Files.writeString(mount, data.get("ca.crt"), StandardCharsets.UTF_8);
    assertThat(psqlWho(data.get("DATABASE_URL"), Map.of())).isEqualTo("billing|billing|t");
    assertThat(jdbcWho(data.get("JDBC_DATABASE_URL"))).isEqualTo("billing|billing|t");
  }

  @Test
  @Order(3)
  void aWrongCaStopsEnforceAndTheTargetKeepsItsLastContent(LocalPostgres postgres) {
    String ns = "wrongca";
    k8s.namespace(ns);
    k8s.secret(ns, "shop-db-app", cloudNativePgApp(postgres));
    k8s.secret(ns, "shop-db-ca", Map.of("ca.crt", ca.certificatePem()));
    k8s.create(
        policy(
            ns,
            spec -> {
              SourceFieldsSpec fields = new SourceFieldsSpec();
              fields.setName("shop-db-app");
              spec.getSource().setFields(fields);
              spec.getSource()
                  .setCaSecretRef(caRef("shop-db-ca", "ca.crt", Path.of("/etc/pgconn/ca.crt")));
            }));
    k8s.awaitReady(ns, "shop");
    Map<String, String> good = targetData(ns);

    // The CA Secret is watched: replacing its content alone reconciles the policy.
    k8s.replaceSecret(ns, "shop-db-ca", Map.of("ca.crt", wrongCa.certificatePem()));
    await().until(() -> "SslFailure".equals(k8s.reason(ns, "shop", "ConnectionVerified")));
    assertThat(k8s.ready(ns, "shop")).isFalse();
    String message =
        k8s.condition(ns, "shop", "ConnectionVerified").map(Condition::getMessage).orElseThrow();
    assertThat(message).contains("spec.source.caSecretRef").doesNotContain("Canary");
    assertThat(targetData(ns)).as("the last good content stays").isEqualTo(good);

    // Not a PEM bundle at all: refused before any probe, with the key named.
    k8s.replaceSecret(ns, "shop-db-ca", Map.of("ca.crt", "not a certificate"));
    await().until(() -> "InvalidCaBundle".equals(k8s.reason(ns, "shop")));
    assertThat(targetData(ns)).isEqualTo(good);

    // Back to the right CA: Ready again, and the same bytes as before (nothing else changed).
    k8s.replaceSecret(ns, "shop-db-ca", Map.of("ca.crt", ca.certificatePem()));
    k8s.awaitReady(ns, "shop");
    assertThat(targetData(ns)).isEqualTo(good);
  }

  @Test
  @Order(4)
  void aMissingKeyOrBrokenJsonSaysWhichKeyOfWhichSecret(LocalPostgres postgres) {
    String ns = "badsrc";
    k8s.namespace(ns);
    Map<String, String> app = new java.util.HashMap<>(cloudNativePgApp(postgres));
    app.remove("dbname");
    k8s.secret(ns, "shop-db-app", app);
    k8s.create(
        policy(
            ns,
            spec -> {
              SourceFieldsSpec fields = new SourceFieldsSpec();
              fields.setName("shop-db-app");
              spec.getSource().setFields(fields);
              spec.getPool().setSslMode("require");
            }));
    await().until(() -> "SourceKeyNotFound".equals(k8s.reason(ns, "shop")));
    assertThat(k8s.condition(ns, "shop", "Ready").map(Condition::getMessage).orElseThrow())
        .contains("Secret badsrc/shop-db-app has no key dbname", "spec.source.fields.dbname")
        .doesNotContain("Canary");

    k8s.secret(ns, "rds-db", Map.of("secretString", "{\"password\": " + jsonString(CANARY)));
    client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(ns)
        .withName("shop")
        .edit(
            p -> {
              p.getSpec().getSource().setFields(null);
              p.getSpec().getSource().setJson(new SourceJsonSpec("rds-db", "secretString"));
              return p;
            });
    await().until(() -> "InvalidSourceJson".equals(k8s.reason(ns, "shop")));
    assertThat(k8s.condition(ns, "shop", "Ready").map(Condition::getMessage).orElseThrow())
        .contains("key secretString of Secret badsrc/rds-db", "not valid JSON")
        .doesNotContain("Canary");
  }

  @Test
  @Order(100)
  void noPasswordAppearsInStatusEventsOrLogs() {
    List<String> secrets =
        List.of(
            CANARY,
            RDS_CANARY,
            LocalPostgres.percentEncode(CANARY),
            LocalPostgres.percentEncode(RDS_CANARY),
            "Canary-");
    String statuses =
        client.resources(PostgresConnectionPolicy.class).inAnyNamespace().list().getItems().stream()
            .map(io.fabric8.kubernetes.client.utils.Serialization::asJson)
            .reduce("", String::concat);
    String events =
        client.v1().events().inAnyNamespace().list().getItems().stream()
            .map(e -> e.getReason() + " " + e.getMessage())
            .reduce("", (a, b) -> a + "\n" + b);
    assertThat(statuses).contains("InvalidSourceJson");
    assertThat(logs.lines()).isNotEmpty();
    for (String secret : secrets) {
      assertThat(statuses).doesNotContain(secret);
      assertThat(events).doesNotContain(secret);
      assertThat(logs.lines()).noneMatch(line -> line.contains(secret));
    }
  }

  // ----------------------------------------------------------------------------------------------

  private Map<String, String> targetData(String ns) {
    var secret = client.secrets().inNamespace(ns).withName("shop-connection").get();
    assertThat(secret).as("target Secret of %s", ns).isNotNull();
    Map<String, String> decoded = new java.util.TreeMap<>();
    secret
        .getData()
        .forEach(
            (k, v) ->
                decoded.put(
                    k,
                    new String(java.util.Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return decoded;
  }

  static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static final String WHO =
      "select concat_ws('|', current_user, current_database(),"
          + " (select case when ssl then 't' else 'f' end from pg_stat_ssl where pid ="
          + " pg_backend_pid()))";

  private static String jdbcWho(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        ResultSet rs = c.createStatement().executeQuery(WHO)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** psql with no PG* variables of this JVM and an empty HOME, plus {@code env}. */
  private static String psqlWho(String url, Map<String, String> env) throws Exception {
    assumeTrue(Files.isExecutable(PSQL), "psql (libpq) not installed at " + PSQL);
    List<String> command = new ArrayList<>(List.of(PSQL.toString(), "-X", "-w", "-At", "-c", WHO));
    if (url != null) command.addAll(List.of("-d", url));
    Path out = Files.createTempFile(scratch, "out-", ".txt");
    Path err = Files.createTempFile(scratch, "err-", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("HOME", scratch.resolve("home").toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("psql did not finish within 30 s");
    }
    String error = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("psql: %s", error).isZero();
    return Files.readString(out, StandardCharsets.UTF_8).strip();
  }
}
