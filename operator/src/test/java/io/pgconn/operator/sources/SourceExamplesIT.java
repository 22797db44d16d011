package io.pgconn.operator.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.examples.ExampleFiles;
import io.pgconn.operator.testenv.ClientProcess;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.NodePg;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.ScratchDirs;
import io.pgconn.operator.testenv.TestCa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cloudnativepg, rds and external-secrets examples, applied to a real API server with the real
 * operator running, against a real PostgreSQL 16 whose certificate a test CA signed. What the test
 * changes, and only that: the Secrets' host, port and password point at the local server (the
 * password is a canary with URL-hostile characters), the CA Secrets hold the test CA, and
 * caSecretRef.mountPath names a scratch file where the test puts the target's ca.crt, as a pod's
 * volume mount would. Each policy must reach Ready under its own probe mode (Enforce, verify-full
 * for the CloudNativePG and RDS shapes), and every output it writes is judged by the real clients:
 * psql (libpq), pgjdbc and node-postgres ({@code pg} 8 and its pg-connection-string from npm;
 * skipped with the reason when node or the install is unavailable).
 */
@OperatorEnvironment(
    logs = true,
    postgres = 16,
    ssl = true,
    maxConnections = 80,
    deleteOnExistingCluster = {"shop", "billing", "orders"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SourceExamplesIT {

  static final String CANARY = "Canary-Ex@mple:/?#%&=+ é日本";
  static final Path PSQL = Path.of("/usr/bin/psql");
  static final ObjectMapper JSON = new ObjectMapper();

  private static Path scratch;
  private static TestCa ca;

  private final KubernetesClient client;
  private final ClusterFixtures k8s;
  private final LocalPostgres postgres;
  private final LogCapture logs;

  SourceExamplesIT(
      KubernetesClient client, ClusterFixtures k8s, LocalPostgres postgres, LogCapture logs) {
    this.client = client;
    this.k8s = k8s;
    this.postgres = postgres;
    this.logs = logs;
  }

  @BeforeAll
  static void server(LocalPostgres postgres) throws IOException {
    scratch = Files.createTempDirectory("source-examples-it-");
    Files.createDirectories(scratch.resolve("home"));
    ca = TestCa.create(scratch, "examples test CA");
    TestCa.Issued server = ca.serverCertificate();
    postgres.useServerCertificate(server.certificatePem(), server.privateKeyPem());
    for (String role : List.of("app", "billing", "orders")) {
      postgres.createRole(role, CANARY, null);
    }
    postgres.createDatabase("app", "app", null);
    postgres.createDatabase("billing", "billing", null);
    postgres.createDatabase("orders", "orders", null);
  }

  @AfterAll
  static void cleanUp() throws IOException {
    ScratchDirs.delete(scratch);
  }

  @Test
  @Order(1)
  void cloudNativePg() throws Exception {
    Map<String, String> data = applyAndAwait("cloudnativepg", "shop", "shop");
    assertThat(data.get("DATABASE_URL")).contains("sslmode=verify-full");
    judge(data, "app|app|t", List.of("DATABASE_URL"), "JDBC_DATABASE_URL", "NODE_DATABASE_URL");
  }

  @Test
  @Order(2)
  void rds() throws Exception {
    Map<String, String> data = applyAndAwait("rds", "billing", "billing");
    assertThat(data.get("DATABASE_URL")).contains("sslmode=verify-full");
    judge(
        data,
        "billing|billing|t",
        List.of("DATABASE_URL"),
        "JDBC_DATABASE_URL",
        "NODE_DATABASE_URL");
  }

  @Test
  @Order(3)
  void externalSecrets() throws Exception {
    Map<String, String> data = applyAndAwait("external-secrets", "orders", "orders");
    // Prisma's URL: libpq connects once the Prisma-only pool parameters are dropped; DIRECT_URL
    // is libpq's own.
    String prisma = data.get("DATABASE_URL");
    assertThat(prisma).contains("connection_limit=", "pool_timeout=");
    String forLibpq =
        prisma
            .replaceAll("[&?]connection_limit=[^&]*", "")
            .replaceAll("[&?]pool_timeout=[^&]*", "");
    forLibpq = forLibpq.contains("?") ? forLibpq : forLibpq.replaceFirst("&", "?");
    assertThat(psqlWho(forLibpq, Map.of())).isEqualTo("orders|orders|t");
    assertThat(psqlWho(data.get("DIRECT_URL"), Map.of())).isEqualTo("orders|orders|t");
  }

  @Test
  @Order(100)
  void theCanaryPasswordAppearsInNoStatusEventOrLogLine() {
    String statuses =
        client.resources(PostgresConnectionPolicy.class).inAnyNamespace().list().getItems().stream()
            .map(io.fabric8.kubernetes.client.utils.Serialization::asJson)
            .reduce("", String::concat);
    String events =
        client.v1().events().inAnyNamespace().list().getItems().stream()
            .map(e -> e.getReason() + " " + e.getMessage())
            .reduce("", (a, b) -> a + "\n" + b);
    assertThat(logs.lines()).isNotEmpty();
    for (String secret : List.of(CANARY, LocalPostgres.percentEncode(CANARY), "Canary-Ex")) {
      assertThat(statuses).doesNotContain(secret);
      assertThat(events).doesNotContain(secret);
      assertThat(logs.lines()).noneMatch(line -> line.contains(secret));
    }
  }

  // ----------------------------------------------------------------------------------------------

  /**
   * Applies every file of the example (pointed at the local server), awaits Ready, reads the
   * target.
   */
  private Map<String, String> applyAndAwait(String example, String ns, String policyName)
      throws Exception {
    Path dir = ExampleFiles.root().resolve(example);
    k8s.namespace(ns);
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    List<PostgresConnectionPolicy> policies = new ArrayList<>();
    List<String> deployments = new ArrayList<>();
    for (Path file : files) {
      for (HasMetadata item : ExampleFiles.load(file)) {
        if (item instanceof GenericKubernetesResource other
            && other.getApiVersion().startsWith("external-secrets.io/")) {
          continue; // its CRD is not installed: secret.yaml is what it produces
        }
        if (item instanceof Secret secret) {
          pointAtLocalServer(secret);
        } else if (item instanceof PostgresConnectionPolicy policy) {
          var ref = policy.getSpec().getSource().getCaSecretRef();
          if (ref != null) {
            ref.setMountPath(scratch.resolve(example).resolve("ca.crt").toString());
          }
          // Each example's server is its own in real life; here they share one, and a running
          // policy keeps what it holds: a max that leaves room for the next example.
          var auto = policy.getSpec().getPool().getAuto();
          if (auto != null) auto.setMax(Math.min(auto.getMax(), 5));
          policies.add(policy);
          continue; // after the Secrets and Deployments it reads
        } else if (item instanceof Deployment d) {
          deployments.add(d.getMetadata().getName());
        }
        client.resource(item).fieldManager("examples-test").forceConflicts().serverSideApply();
      }
    }
    for (PostgresConnectionPolicy policy : policies) {
      // A stand-in for each workload the policy lists that the example does not define.
      for (WorkloadRef ref : policy.getSpec().getWorkloads().getRefs()) {
        if (!deployments.contains(ref.name())) {
          k8s.deployment(ns, ref.name(), policy.getMetadata().getName() + "-connection");
        }
      }
      client.resource(policy).fieldManager("examples-test").forceConflicts().serverSideApply();
    }
    k8s.awaitReady(ns, policyName);
    assertThat(k8s.condition(ns, policyName, "ConnectionVerified").orElseThrow().getStatus())
        .isEqualTo("True");
    var target = client.secrets().inNamespace(ns).withName(policyName + "-connection").get();
    Map<String, String> data = new TreeMap<>();
    target
        .getData()
        .forEach(
            (k, v) ->
                data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    if (data.containsKey("ca.crt")) {
      Path mount = scratch.resolve(example).resolve("ca.crt");
      Files.createDirectories(mount.getParent());
      Files.writeString(mount, data.get("ca.crt"), StandardCharsets.UTF_8);
      assertThat(data.get("ca.crt")).contains(ca.certificatePem().strip());
    }
    return data;
  }

  /** Host, port and password of the local server; the test CA wherever a CA bundle is. */
  private void pointAtLocalServer(Secret secret) throws IOException {
    Map<String, String> values = new HashMap<>();
    if (secret.getStringData() != null) values.putAll(secret.getStringData());
    for (String key : List.of("ca.crt", "global-bundle.pem")) {
      if (values.containsKey(key)) values.put(key, ca.certificatePem());
    }
    if (values.containsKey("host")) {
      values.put("host", LocalPostgres.HOST);
      values.put("port", Integer.toString(postgres.port()));
      values.put("password", CANARY);
    }
    if (values.containsKey("secretString")) {
      ObjectNode json = (ObjectNode) JSON.readTree(values.get("secretString"));
      json.put("host", LocalPostgres.HOST);
      json.put("port", postgres.port());
      json.put("password", CANARY);
      values.put("secretString", JSON.writeValueAsString(json));
    }
    secret.setStringData(values);
  }

  /** Every URL output through psql, the JDBC output through pgjdbc, node's through pg. */
  private void judge(
      Map<String, String> data, String who, List<String> libpq, String jdbc, String node)
      throws Exception {
    for (String key : libpq) {
      assertThat(psqlWho(data.get(key), Map.of())).as(key).isEqualTo(who);
    }
    assertThat(jdbcWho(data.get(jdbc))).as(jdbc).isEqualTo(who);
    assertThat(
            jdbcWho(
                data.get("SPRING_DATASOURCE_URL"),
                data.get("SPRING_DATASOURCE_USERNAME"),
                data.get("SPRING_DATASOURCE_PASSWORD")))
        .as("SPRING_DATASOURCE_*")
        .isEqualTo(who);
    nodeWho(data, node, who);
  }

  static final String WHO =
      "select concat_ws('|', current_user, current_database(),"
          + " (select case when ssl then 't' else 'f' end from pg_stat_ssl where pid ="
          + " pg_backend_pid()))";

  private static String jdbcWho(String url) throws Exception {
    return jdbcWho(url, null, null);
  }

  private static String jdbcWho(String url, String user, String password) throws Exception {
    try (Connection c =
            user == null
                ? DriverManager.getConnection(url)
                : DriverManager.getConnection(url, user, password);
        ResultSet rs = c.createStatement().executeQuery(WHO)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String psqlWho(String url, Map<String, String> env) throws Exception {
    assumeTrue(Files.isExecutable(PSQL), "psql (libpq) not installed at " + PSQL);
    List<String> command = new ArrayList<>(List.of(PSQL.toString(), "-X", "-w", "-At", "-c", WHO));
    if (url != null) command.addAll(List.of("-d", url));
    ClientProcess.Result r = ClientProcess.run(scratch, command, env, scratch, 30);
    assertThat(r.exit()).as("psql: %s", r.err()).isZero();
    return r.out().strip();
  }

  /**
   * node-postgres: the URL through pg-connection-string (reading sslrootcert), pool from _POOL_*.
   */
  private static void nodeWho(Map<String, String> data, String key, String who) throws Exception {
    Path dir = NodePg.installed(scratch);
    Path script = NodePg.whoScript(dir, "JUDGE", WHO);
    Map<String, String> env = new HashMap<>();
    for (String k :
        List.of("", "_POOL_MAX", "_POOL_CONNECTION_TIMEOUT_MILLIS", "_POOL_IDLE_TIMEOUT_MILLIS")) {
      env.put("JUDGE" + k, data.get(key + k));
    }
    ClientProcess.Result r =
        ClientProcess.run(scratch, List.of("node", script.toString()), env, dir, 60);
    assertThat(r.exit()).as("node: %s", r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo(who);
  }
}
