package io.pgconn.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A tenant aims 50 policies at a server that accepts connections and never answers. Healthy
 * policies created after them must still converge: probes run off the reconcile threads, a few at a
 * time and one per server, so the silent server costs one probe worker and nothing else.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    postgres = 16,
    superuserPassword = HostileProbeIT.CANARY + "-su",
    namespaces = {"tenant", "shop"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileProbeIT {

  static final String CANARY = "canary-Pw-hostile-41";
  static final int SILENT_POLICIES = 50;
  static final int SILENT_USERS = 2;

  /**
   * The silent policies' connect timeout: what each of their probes waits, synchronously or not.
   */
  static final int SILENT_TIMEOUT_SECONDS = 20;

  private final LocalPostgres postgres;
  private final ClusterFixtures k8s;
  private final SilentListener silent;

  HostileProbeIT(OperatorEnvironment.Handle environment) {
    this.postgres = environment.get(LocalPostgres.class);
    this.k8s = environment.get(ClusterFixtures.class);
    // Probes in flight must end against the silent server, not against a closed port.
    this.silent = environment.closeAfterOperator(new SilentListener());
  }

  @BeforeAll
  void sources() {
    postgres.createRole("app", CANARY, null);
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
        .until(() -> healthy.stream().allMatch(name -> k8s.ready("shop", name)));
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
                            k8s.condition("tenant", "silent-" + i, "Ready")
                                .filter(
                                    c ->
                                        "False".equals(c.getStatus())
                                            && "ConnectTimeout".equals(c.getReason()))
                                .isPresent()));
    Condition sample = k8s.condition("tenant", "silent-7", "Ready").orElseThrow();
    assertThat(sample.getMessage()).contains("did not answer in time").doesNotContain(CANARY);
    System.out.printf(
        "hostile-probe: all %d silent policies Ready=False ConnectTimeout after %d s%n",
        SILENT_POLICIES, Duration.ofNanos(System.nanoTime() - t0).toSeconds());
  }

  private static PostgresConnectionPolicy policy(
      String ns, String name, String secret, int connectTimeoutSeconds) {
    return Policies.policy(
        ns,
        name,
        secret,
        spec -> {
          spec.getPool().setSslMode("disable");
          spec.getPool().setConnectionLimit(2);
          spec.getPool().setConnectTimeoutSeconds(connectTimeoutSeconds);
        });
  }
}
