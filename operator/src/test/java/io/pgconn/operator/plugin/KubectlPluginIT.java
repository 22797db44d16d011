package io.pgconn.operator.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalControlPlane;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.LogCapture;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.PgconnPlugin;
import io.pgconn.operator.testenv.PgconnPlugin.Run;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.testenv.TestCluster;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl pgconn} as a user runs it (the script on PATH, found by the kubectl built for the
 * local control plane) against a real kube-apiserver, the real operator and a real PostgreSQL 16:
 * status explains a Ready policy, url prints every dialect's output with the password masked (a
 * password of every URL-hostile character, so a mask that stops early shows it), and wrong input
 * gets a clear error. The doctor's Pod needs a node: here its manifest must pass the API server's
 * validation and the restricted Pod Security profile, and a Pod no node runs ends in a clear error
 * and is deleted; ChartPluginRealNodeIT runs it for real.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    postgres = 16,
    logs = true,
    namespaces = {"plug"})
class KubectlPluginIT {

  static final String CANARY = "Canary-Plug@:/?#%&=+ é'\"x";

  private static PgconnPlugin plugin;
  private static LogCapture logs;

  @BeforeAll
  static void aReadyPolicyWithEveryDialect(
      TestCluster cluster, LocalPostgres pg, ClusterFixtures k8s, LogCapture capture) {
    logs = capture;
    plugin =
        new PgconnPlugin(
            LocalControlPlane.kubectlBinary(), ((LocalControlPlane) cluster).kubeconfigFile());
    pg.createRole("plug", CANARY, null);
    pg.createDatabase("plug", "plug", null);
    k8s.secret("plug", "db", Map.of("DATABASE_URL", pg.url("plug", CANARY, "plug")));
    k8s.create(
        Policies.policy(
            "plug",
            "app",
            "db",
            spec -> {
              spec.getTarget().setSecretName("app-connection");
              spec.getTarget()
                  .setOutputs(
                      List.of(
                          new OutputSpec("DATABASE_URL", OutputFormatName.libpq, true),
                          new OutputSpec("JDBC_DATABASE_URL", OutputFormatName.jdbc, true),
                          new OutputSpec("NODE_DATABASE_URL", OutputFormatName.node_postgres, true),
                          new OutputSpec("PGX_DATABASE_URL", OutputFormatName.pgx, false),
                          new OutputSpec("PRISMA_URL", OutputFormatName.prisma, true),
                          new OutputSpec("ADAPTER_URL", OutputFormatName.prisma_adapter_pg, true),
                          new OutputSpec(null, OutputFormatName.env, true)));
              spec.getPool().setConnectionLimit(4);
              spec.getPool().setSslMode("disable");
            }));
    k8s.awaitReady("plug", "app");
  }

  @AfterAll
  static void passwordNowhereInTheOperatorsLogs() {
    assertThat(logs.lines()).noneMatch(l -> l.contains(CANARY));
  }

  @Test
  void statusExplainsReadinessAllocationServerProbeAndChecklist() {
    Run run = plugin.run("status", "app", "-n", "plug");

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out())
        .startsWith("plug/app (generation 1)")
        .containsPattern("(?m)^Ready: +True +Reconciled: ")
        .containsPattern("(?m)^  Ready +True ")
        .containsPattern("(?m)^  connection limit: +4 per pod")
        .contains("how:")
        .containsPattern("(?m)^  max_connections: +\\d+ \\(\\d+ reserved\\)")
        .containsPattern("(?m)^Last probe: +Success at ")
        .containsPattern("(?m)^  Pass +server-reachable-and-login-accepted")
        .contains("Target Secret: app-connection")
        // The ledger: the policy's own consumer, nothing held yet, 4 allotted to its one pod.
        .contains("Who holds connections")
        .containsPattern("(?m)^  app +plug +0 / 4 +Within$");
    assertThat(run.out()).doesNotContain("<no value>").doesNotContain("Canary-Plug");
  }

  @Test
  void urlMasksThePasswordInEveryDialect() {
    Run masked = plugin.run("url", "app", "--namespace=plug");

    assertThat(masked.exit()).as(masked.toString()).isZero();
    assertThat(masked.out().lines().map(l -> l.substring(0, l.indexOf('='))))
        .contains(
            "DATABASE_URL",
            "JDBC_DATABASE_URL",
            "NODE_DATABASE_URL",
            "PGX_DATABASE_URL",
            "PRISMA_URL",
            "ADAPTER_URL",
            "PGPASSWORD");
    assertThat(masked.out())
        .contains("postgresql://plug:****@")
        .contains("password=****")
        .containsPattern("(?m)^PGPASSWORD=\\*\\*\\*\\*$");
    for (String form :
        List.of(
            CANARY,
            "Canary-Plug",
            URLEncoder.encode(CANARY, StandardCharsets.UTF_8),
            "Canary%2DPlug")) {
      assertThat(masked.all()).as("masked output shows %s", form).doesNotContain(form);
    }

    Run shown = plugin.run("url", "app", "-n", "plug", "--show-password");
    assertThat(shown.exit()).as(shown.toString()).isZero();
    assertThat(shown.out()).contains("PGPASSWORD=" + CANARY);
  }

  /**
   * POSIX sh only (it runs under dash here, as /bin/sh on Debian), and shellcheck finds nothing.
   */
  @Test
  void theScriptPassesShellcheck() throws Exception {
    Process shellcheck =
        new ProcessBuilder("shellcheck", "--shell=sh", PgconnPlugin.script().toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(shellcheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shellcheck.waitFor()).as(out).isZero();
  }

  @Test
  void wrongInputGetsAClearErrorAndExitCode() {
    Run missing = plugin.run("status", "nope", "-n", "plug");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err())
        .contains("no PostgresConnectionPolicy 'nope' in namespace plug")
        .contains("kubectl get pgcp -n plug");

    Run noName = plugin.run("doctor");
    assertThat(noName.exit()).isEqualTo(2);
    assertThat(noName.err()).contains("which policy?");

    Run unknown = plugin.run("frobnicate");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown command 'frobnicate'");

    Run badTimeout = plugin.run("doctor", "app", "-n", "plug", "--timeout", "soon");
    assertThat(badTimeout.exit()).isEqualTo(2);
    assertThat(badTimeout.err()).contains("--timeout takes whole seconds");

    // No operator Deployment in this cluster (the operator runs in the test JVM) and no --image.
    Run noImage = plugin.run("doctor", "app", "-n", "plug");
    assertThat(noImage.exit()).isEqualTo(2);
    assertThat(noImage.err()).contains("no image to run").contains("--image");
  }

  /**
   * The doctor Pod in a namespace that enforces the restricted Pod Security profile: the API server
   * admits it (or the create would fail with the profile's violations), no node runs it, and the
   * plugin gives up at its deadline with exit code 3, says why, and deletes the Pod.
   */
  @Test
  void theDoctorPodPassesRestrictedAdmissionAndIsDeletedWhenItCannotRun(
      KubernetesClient client, ClusterFixtures k8s, LocalPostgres pg) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("strict")
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata()
                .build())
        .serverSideApply();
    k8s.secret("strict", "db", Map.of("DATABASE_URL", pg.url("plug", CANARY, "plug")));
    k8s.create(Policies.policy("strict", "app", "db", spec -> {}));

    Run run =
        plugin.run(
            "doctor", "app", "-n", "strict", "--image", "pgconn.local/none:dev", "--timeout", "1");

    assertThat(run.exit()).as(run.toString()).isEqualTo(3);
    assertThat(run.err())
        .contains("running the checklist in pod strict/pgconn-doctor-")
        .contains("did not finish in 1s (phase Pending)")
        .contains("kubectl describe pod");
    ClusterFixtures.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .pods()
                            .inNamespace("strict")
                            .withLabel("pgconn.io/policy", "app")
                            .list()
                            .getItems())
                    .isEmpty());
    assertThat(run.all()).doesNotContain("Canary-Plug");
  }
}
