package io.pgconn.operator.examples;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reloader and argocd examples, applied to a real API server with the operator running, against
 * a real PostgreSQL 16 with TLS. What the test changes, and only that: the source Secret's URL
 * points at the local server (as the quick start does). Both policies reach Ready and their outputs
 * are judged by psql (libpq) and pgjdbc.
 *
 * <p>reloader: the target Secret carries Reloader's opt-out, so a Reloader watching the team's
 * Deployment (reloader.stakater.com/auto) never restarts it for the operator's Secret. argocd: the
 * example is applied wave by wave as Argo CD does (each wave once the previous one is healthy; a
 * policy is healthy when Ready, as the health check of docs/gitops-health.md says), and the target
 * Secret exists when the wave-0 Deployment that reads it is created; Argo CD's tracking annotation
 * on the policy is not copied to the target.
 */
@OperatorEnvironment(
    postgres = 16,
    ssl = true,
    maxConnections = 80,
    deleteOnExistingCluster = {"catalog", "payments"})
class ClusterToolExamplesIT {

  static final String PASSWORD = "Tool-Ex@mple:/?#%&=+";
  static final String SYNC_WAVE = "argocd.argoproj.io/sync-wave";
  static final String TRACKING_ID = "argocd.argoproj.io/tracking-id";
  static final Path PSQL = Path.of("/usr/bin/psql");

  @TempDir static Path home;

  private final KubernetesClient client;
  private final ClusterFixtures k8s;
  private final LocalPostgres postgres;

  ClusterToolExamplesIT(KubernetesClient client, ClusterFixtures k8s, LocalPostgres postgres) {
    this.client = client;
    this.k8s = k8s;
    this.postgres = postgres;
  }

  @BeforeAll
  static void roles(LocalPostgres postgres) {
    for (String role : List.of("catalog", "payments")) {
      postgres.createRole(role, PASSWORD, null);
      postgres.createDatabase(role, role, null);
    }
  }

  @Test
  void reloaderIgnoresTheTargetTheOperatorRolls() throws Exception {
    k8s.namespace("catalog");
    List<HasMetadata> items = new ArrayList<>();
    for (Path file : files("reloader")) items.addAll(ExampleFiles.load(file));
    for (HasMetadata item : items) apply(item, "catalog");
    k8s.awaitReady("catalog", "catalog");

    Secret target = client.secrets().inNamespace("catalog").withName("catalog-connection").get();
    assertThat(target.getMetadata().getAnnotations())
        .containsEntry("reloader.stakater.com/ignore", "true");
    Deployment app = k8s.getDeployment("catalog", "catalog-api").orElseThrow();
    assertThat(app.getMetadata().getAnnotations())
        .as("the team's Deployment stays under Reloader for everything else")
        .containsEntry("reloader.stakater.com/auto", "true");
    assertThat(
            app.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().stream()
                .filter(e -> e.getSecretRef() != null)
                .map(e -> e.getSecretRef().getName()))
        .containsExactly("catalog-connection");
    judge(data(target), "catalog|catalog|t");
  }

  @Test
  void argoCdSyncWavesCreateTheDeploymentAfterItsSecret() throws Exception {
    k8s.namespace("payments");
    Map<Integer, List<HasMetadata>> waves = new TreeMap<>();
    for (Path file : files("argocd")) {
      for (HasMetadata item : ExampleFiles.load(file)) {
        String wave = annotations(item).getOrDefault(SYNC_WAVE, "0");
        waves.computeIfAbsent(Integer.parseInt(wave), w -> new ArrayList<>()).add(item);
      }
    }
    assertThat(waves.keySet()).as("sync waves in the example").containsExactly(-1, 0);
    assertThat(waves.get(-1))
        .extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder("Secret", "PostgresConnectionPolicy");
    assertThat(waves.get(0)).extracting(HasMetadata::getKind).containsExactly("Deployment");

    // Wave -1, with the tracking annotation Argo CD puts on what it applies.
    for (HasMetadata item : waves.get(-1)) {
      item.getMetadata()
          .getAnnotations()
          .put(
              TRACKING_ID,
              "payments:" + item.getKind() + ":payments/" + item.getMetadata().getName());
      apply(item, "payments");
    }
    // Argo CD waits for the wave to be healthy, as docs/gitops-health.md's check says: the Secret
    // is written and only the workloads (wave 0) are missing.
    await().until(() -> healthyForArgoCd(k8s.policy("payments", "payments")));
    assertThat(k8s.condition("payments", "payments", "Ready").orElseThrow().getReason())
        .as("un-Ready only for the Deployment of the next wave")
        .isEqualTo("WorkloadNotFound");
    Secret before = client.secrets().inNamespace("payments").withName("payments-connection").get();
    assertThat(before).as("the target exists before wave 0 starts").isNotNull();
    assertThat(k8s.getDeployment("payments", "payments-api")).isEmpty();

    // Wave 0: the Deployment; its pods would find their Secret.
    for (HasMetadata item : waves.get(0)) apply(item, "payments");
    Deployment app = k8s.getDeployment("payments", "payments-api").orElseThrow();
    Secret target = client.secrets().inNamespace("payments").withName("payments-connection").get();
    assertThat(target.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
    assertThat(Instant.parse(target.getMetadata().getCreationTimestamp()))
        .isBeforeOrEqualTo(Instant.parse(app.getMetadata().getCreationTimestamp()));
    assertThat(
            app.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().stream()
                .map(e -> e.getSecretRef().getName()))
        .containsExactly(target.getMetadata().getName());
    // The operator watches no workloads: it sees the new Deployment at its next check (the probe
    // interval, 5 min by default) or on any change of its inputs. Touch the source instead of
    // waiting that long.
    k8s.touchSecret("payments", "payments-db");
    await()
        .untilAsserted(
            () ->
                assertThat(k8s.ready("payments", "payments"))
                    .as(
                        "Ready once wave 0 exists: %s",
                        k8s.policy("payments", "payments").getStatus().getConditions())
                    .isTrue());

    // Retain: no owner reference, so pruning the policy leaves the Secret; no Argo CD tracking.
    assertThat(target.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(annotations(target)).doesNotContainKeys(TRACKING_ID, SYNC_WAVE);
    assertThat(target.getMetadata().getLabels()).doesNotContainKey("app.kubernetes.io/instance");
    judge(data(target), "payments|payments|t");
  }

  // ----------------------------------------------------------------------------------------------

  /**
   * The health docs/gitops-health.md's Lua check computes (it is not executed here: no Lua
   * runtime): the latest spec observed, and Ready, or un-Ready only because the workloads are not
   * there yet while the Secret is written.
   */
  private static boolean healthyForArgoCd(PostgresConnectionPolicy p) {
    if (p.getStatus() == null
        || p.getStatus().getConditions() == null
        || !p.getMetadata().getGeneration().equals(p.getStatus().getObservedGeneration())) {
      return false;
    }
    Map<String, io.fabric8.kubernetes.api.model.Condition> byType = new HashMap<>();
    p.getStatus().getConditions().forEach(c -> byType.put(c.getType(), c));
    var ready = byType.get("Ready");
    var synced = byType.get("SecretSynced");
    if (ready == null) return false;
    if ("True".equals(ready.getStatus())) return true;
    return "WorkloadNotFound".equals(ready.getReason())
        && synced != null
        && "True".equals(synced.getStatus());
  }

  private static List<Path> files(String example) throws IOException {
    try (Stream<Path> list = Files.list(ExampleFiles.root().resolve(example))) {
      return list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static Map<String, String> annotations(HasMetadata item) {
    if (item.getMetadata().getAnnotations() == null)
      item.getMetadata().setAnnotations(new HashMap<>());
    return item.getMetadata().getAnnotations();
  }

  /** Server-side apply; a source Secret's URL first pointed at the local server. */
  private void apply(HasMetadata item, String role) {
    if (item instanceof Secret secret && secret.getStringData() != null) {
      Map<String, String> values = new HashMap<>(secret.getStringData());
      values.put("DATABASE_URL", postgres.url(role, PASSWORD, role));
      secret.setStringData(values);
    }
    client.resource(item).fieldManager("examples-test").forceConflicts().serverSideApply();
  }

  private static Map<String, String> data(Secret secret) {
    Map<String, String> out = new TreeMap<>();
    secret
        .getData()
        .forEach(
            (k, v) ->
                out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return out;
  }

  static final String WHO =
      "select concat_ws('|', current_user, current_database(),"
          + " (select case when ssl then 't' else 'f' end from pg_stat_ssl where pid ="
          + " pg_backend_pid()))";

  /** DATABASE_URL through psql, JDBC_DATABASE_URL through pgjdbc. */
  private static void judge(Map<String, String> data, String who) throws Exception {
    try (Connection c = DriverManager.getConnection(data.get("JDBC_DATABASE_URL"));
        ResultSet rs = c.createStatement().executeQuery(WHO)) {
      rs.next();
      assertThat(rs.getString(1)).as("pgjdbc").isEqualTo(who);
    }
    assumeTrue(Files.isExecutable(PSQL), "psql (libpq) not installed at " + PSQL);
    ProcessBuilder pb =
        new ProcessBuilder(
                PSQL.toString(), "-X", "-w", "-At", "-c", WHO, "-d", data.get("DATABASE_URL"))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("HOME", home.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("psql finished").isTrue();
    assertThat(p.exitValue()).as("psql: %s", out).isZero();
    assertThat(out.strip()).as("psql").isEqualTo(who);
  }
}
