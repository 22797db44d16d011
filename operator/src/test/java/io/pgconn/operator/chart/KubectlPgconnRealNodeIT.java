package io.pgconn.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalControlPlane;
import io.pgconn.operator.testenv.PgconnPlugin;
import io.pgconn.operator.testenv.PgconnPlugin.Run;
import io.pgconn.operator.testenv.Policies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl pgconn doctor} as issue 14 asks for it, on a real node: the chart installs the
 * operator's image, and the plugin runs the checklist in a short-lived Pod of that image (found
 * through the chart's Deployment) in the policy's namespace, which enforces the restricted Pod
 * Security profile. The Pod reads the policy's source Secret as the operator does, reaches
 * PostgreSQL through the pod network, prints the checklist, and is deleted; a wrong password fails
 * the login check with exit code 1. The password shows nowhere in what the plugin prints.
 */
@Tag("real-node")
class KubectlPgconnRealNodeIT {

  private static final String PASSWORD = "canary-Doctor-7e21";
  private static final String NS = "doc";

  @TempDir static Path scratch;
  private static ChartOnRealNode env;
  private static PgconnPlugin plugin;

  @BeforeAll
  static void chartAndTwoPolicies() {
    env = ChartOnRealNode.install(scratch, 1);
    env.awaitOperatorsReady(1);
    plugin = new PgconnPlugin(LocalControlPlane.kubectlBinary(), env.kubeconfigFile());
    KubernetesClient admin = env.admin();
    ClusterFixtures k8s = env.k8s();
    env.pg().createRole("doc_app", PASSWORD, null);
    env.pg().createDatabase("doc", "doc_app", null);
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(NS)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata()
                .build())
        .serverSideApply();
    k8s.secret(NS, "db", Map.of("DATABASE_URL", url(PASSWORD)));
    k8s.secret(NS, "stale", Map.of("DATABASE_URL", url("not-" + PASSWORD)));
    k8s.create(Policies.policy(NS, "app", "db", spec -> spec.getPool().setSslMode("require")));
    k8s.create(
        Policies.policy(
            NS,
            "stale",
            "stale",
            spec -> {
              spec.getPool().setSslMode("require");
              spec.getProbe().setMode(ProbeMode.Enforce);
            }));
    k8s.awaitReady(NS, "app");
  }

  @AfterAll
  static void stop() {
    if (env != null) env.close();
  }

  @Test
  void doctorRunsTheChecklistInsideTheClusterAndCleansUp() {
    long t0 = System.nanoTime();
    Run run = plugin.run("doctor", "app", "-n", NS);
    env.time("kubectl pgconn doctor (Pod created, run, read, deleted)", t0);

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).contains("running the checklist in pod doc/pgconn-doctor-");
    assertThat(run.out())
        .contains("pgconn doctor: postgresql://doc_app:****@" + env.pgAddress() + "/doc")
        .containsPattern("(?m)^PASS +server-reachable-and-login-accepted")
        .containsPattern("(?m)^PASS +ssl-enabled")
        .contains("verdict: PASS");
    assertThat(run.all()).doesNotContain(PASSWORD);
    awaitNoDoctorPods();

    Run status = plugin.run("status", "app", "-n", NS);
    assertThat(status.exit()).as(status.toString()).isZero();
    assertThat(status.out()).containsPattern("(?m)^Ready: +True");
  }

  @Test
  void aWrongPasswordFailsTheLoginCheckWithExitCodeOne() {
    Run run = plugin.run("doctor", "stale", "-n", NS, "--json");

    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    assertThat(run.out())
        .contains("\"verdict\" : \"fail\"")
        .contains("\"name\" : \"server-reachable-and-login-accepted\"")
        .contains("the server rejected the password");
    assertThat(run.all()).doesNotContain(PASSWORD);
    awaitNoDoctorPods();
  }

  private static void awaitNoDoctorPods() {
    ClusterFixtures.await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        env.admin()
                            .pods()
                            .inNamespace(NS)
                            .withLabel("app.kubernetes.io/name", "pgconn-doctor")
                            .list()
                            .getItems())
                    .isEmpty());
  }

  private static String url(String password) {
    return "postgresql://doc_app:" + password + "@" + env.pgAddress() + "/doc";
  }
}
