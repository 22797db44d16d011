package io.pgconn.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalControlPlane;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tenant aims 50 policies at a server that accepts connections and never answers. Healthy
 * policies created after them must still converge: probes run off the reconcile threads, a few at a
 * time and one per server, so the silent server costs one probe worker and nothing else.
 */
class HostileProbeIT {

  static final String CANARY = "canary-Pw-hostile-41";
  static final int SILENT_POLICIES = 50;
  static final int SILENT_USERS = 2;

  /**
   * The silent policies' connect timeout: what each of their probes waits, synchronously or not.
   */
  static final int SILENT_TIMEOUT_SECONDS = 20;

  static LocalControlPlane controlPlane;
  static LocalPostgres postgres;
  static SilentListener silent;
  static OperatorApp app;
  static KubernetesClient client;
  static ClusterFixtures k8s;

  @BeforeAll
  static void start() {
    controlPlane = LocalControlPlane.start();
    postgres = LocalPostgres.builder().superuserPassword(CANARY + "-su").start();
    postgres.createRole("app", CANARY, null);
    silent = new SilentListener();
    client = controlPlane.newClient();
    k8s = new ClusterFixtures(client);
    k8s.installCrd();
    app = OperatorApp.start(controlPlane.kubeconfigFile(), Map.of());
    k8s.namespace("tenant");
    k8s.namespace("shop");
    for (int u = 0; u < SILENT_USERS; u++) {
      k8s.secret(
          "tenant",
          "silent-" + u,
          Map.of(
              "DATABASE_URL",
              "postgresql://user"
                  + u
                  + ":"
                  + CANARY
                  + "@127.0.0.1:"
                  + silent.port()
                  + "/postgres"));
    }
    k8s.secret("shop", "db", Map.of("DATABASE_URL", postgres.url("app", CANARY, "postgres")));
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
    if (client != null) client.close();
    if (silent != null) silent.close();
    if (postgres != null) postgres.close();
    if (controlPlane != null) controlPlane.close();
  }

  @Test
  void healthyPoliciesConvergeWhileFiftyPoliciesProbeASilentServer() {
    IntStream.range(0, SILENT_POLICIES)
        .forEach(
            i ->
                k8s.create(
                    policy(
                        "tenant",
                        "silent-" + i,
                        "silent-" + (i % SILENT_USERS),
                        SILENT_TIMEOUT_SECONDS)));
    // Let the silent ones take whatever they take before the healthy ones arrive.
    await().atMost(Duration.ofSeconds(30)).until(() -> silent.accepted() >= 1);

    long t0 = System.nanoTime();
    List<String> healthy = List.of("checkout", "billing", "search");
    healthy.forEach(name -> k8s.create(policy("shop", name, "db", 5)));
    // Synchronous probes held all 50 reconcile threads for a connect timeout (20 s) each round.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                healthy.stream()
                    .allMatch(
                        name ->
                            ready("shop", name)
                                .map(c -> "True".equals(c.getStatus()))
                                .orElse(false)));
    Duration healthyReady = Duration.ofNanos(System.nanoTime() - t0);
    System.out.printf(
        "hostile-probe: 3 healthy policies Ready in %d ms beside %d silent ones%n",
        healthyReady.toMillis(), SILENT_POLICIES);

    // The silent ones end Ready=False with a timeout, each probe of each user in turn.
    await()
        .atMost(Duration.ofSeconds(SILENT_USERS * (SILENT_TIMEOUT_SECONDS + 25L) + 30))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                IntStream.range(0, SILENT_POLICIES)
                    .allMatch(
                        i ->
                            ready("tenant", "silent-" + i)
                                .filter(
                                    c ->
                                        "False".equals(c.getStatus())
                                            && "ConnectTimeout".equals(c.getReason()))
                                .isPresent()));
    Condition sample = ready("tenant", "silent-7").orElseThrow();
    assertThat(sample.getMessage()).contains("did not answer in time").doesNotContain(CANARY);
    System.out.printf(
        "hostile-probe: all %d silent policies Ready=False ConnectTimeout after %d s%n",
        SILENT_POLICIES, Duration.ofNanos(System.nanoTime() - t0).toSeconds());
  }

  private static Optional<Condition> ready(String ns, String name) {
    return k8s.condition(ns, name, "Ready");
  }

  private static PostgresConnectionPolicy policy(
      String ns, String name, String secret, int connectTimeoutSeconds) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef(secret, "DATABASE_URL"));
    spec.getPool().setSslMode("disable");
    spec.getPool().setConnectionLimit(2);
    spec.getPool().setConnectTimeoutSeconds(connectTimeoutSeconds);
    spec.getProbe().setInterval("1h");
    policy.setSpec(spec);
    return policy;
  }
}
