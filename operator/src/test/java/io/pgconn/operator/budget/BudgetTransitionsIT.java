package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example on a real API server and PostgreSQL 16 (max_connections 40, 3 reserved): A
 * and B, one Deployment each (2 replicas + 1 surge = 3 pods), share 36 slots (37 less the
 * operator's one probe connection, which both policies' probes share), 6 per pod each. A's weight
 * goes to 3 (targets: A 9, B 3). There is no Deployment controller here, so a rollout completes
 * only when the test writes the Deployment's status as the controller would: until B has rolled,
 * B's pods still run 6, and A must not roll to 9 (27 + 18 = 45 on 36 slots).
 *
 * <p>The test tracks, per policy, the highest limit its pods may run (the limit at its last
 * completed rollout and every limit its status showed since) and checks {@code sum of 3 pods x that
 * limit <= 36} at every poll.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    postgres = 16,
    maxConnections = 40,
    namespaces = {"team-a", "team-b"})
class BudgetTransitionsIT {

  static final int USABLE = 40 - 3 - 1;
  static final int PODS = 3;

  private final KubernetesClient client;
  private final ClusterFixtures k8s;
  private final Map<String, Integer> mayRun = new HashMap<>();

  BudgetTransitionsIT(KubernetesClient client, ClusterFixtures k8s) {
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  static void roleAndSources(LocalPostgres postgres, ClusterFixtures k8s) {
    postgres.createRole("app", "pw-app-canary", null);
    for (String ns : List.of("team-a", "team-b")) {
      k8s.secret(
          ns, "db", Map.of("DATABASE_URL", postgres.url("app", "pw-app-canary", "postgres")));
    }
  }

  @Test
  void aRaiseWaitsUntilThePeerThatLowersHasRolledOut() {
    k8s.deployment("team-a", "a", "a-connection");
    k8s.deployment("team-b", "b", "b-connection");
    k8s.create(policy("team-a", "a"));
    k8s.create(policy("team-b", "b"));
    // Settle with every rollout completed as soon as it starts.
    await()
        .until(
            () -> {
              k8s.completeRollout("team-a", "a");
              k8s.completeRollout("team-b", "b");
              return limit("team-a", "a") == 6
                  && limit("team-b", "b") == 6
                  && rolled("team-a", "a")
                  && rolled("team-b", "b");
            });
    mayRun.put("team-a/a", 6);
    mayRun.put("team-b/b", 6);

    client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace("team-a")
        .withName("a")
        .edit(
            p -> {
              p.getSpec().getPool().getAuto().setWeight(3);
              return p;
            });
    // B lowers to 3 and starts rolling; A's raise to 9 waits while B's pods still run 6.
    await()
        .until(
            () ->
                checkInvariant()
                    && limit("team-b", "b") == 3
                    && explanation("team-a", "a").contains("until peers have rolled"));
    Instant until = Instant.now().plusSeconds(6); // a few reconciles (every 2 s while rolling)
    await().until(() -> checkInvariant() && Instant.now().isAfter(until));
    assertThat(limit("team-a", "a")).isEqualTo(6);

    // B's rollout completes: B runs 3 everywhere, and A's raise follows without any other input.
    k8s.completeRollout("team-b", "b");
    mayRun.put("team-b/b", 3);
    await()
        .until(
            () -> {
              boolean ok = checkInvariant();
              k8s.completeRollout("team-b", "b");
              if (k8s.completeRollout("team-a", "a")) mayRun.put("team-a/a", limit("team-a", "a"));
              return ok && limit("team-a", "a") == 9 && rolled("team-a", "a");
            });
    assertThat(explanation("team-a", "a")).doesNotContain("until peers");
  }

  // ---------------------------------------------------------------------------------------------

  /** Records what each policy's status shows and checks the budget against what pods may run. */
  boolean checkInvariant() {
    for (String id : List.of("team-a/a", "team-b/b")) {
      String[] p = id.split("/");
      int limit = limit(p[0], p[1]);
      if (limit > 0) mayRun.merge(id, limit, Math::max);
    }
    int used = mayRun.values().stream().mapToInt(l -> PODS * l).sum();
    assertThat(used).as("pods x limits they may run: %s", mayRun).isLessThanOrEqualTo(USABLE);
    return true;
  }

  boolean rolled(String ns, String name) {
    PolicyStatus s = k8s.status(ns, name);
    return s != null
        && s.getWorkloads() != null
        && !s.getWorkloads().isEmpty()
        && s.getWorkloads().stream().map(WorkloadStatus::state).allMatch("UpToDate"::equals);
  }

  static org.awaitility.core.ConditionFactory await() {
    return Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100));
  }

  int limit(String ns, String name) {
    PolicyStatus s = k8s.status(ns, name);
    return s == null || s.getPool() == null ? -1 : s.getPool().getConnectionLimit();
  }

  String explanation(String ns, String name) {
    PolicyStatus s = k8s.status(ns, name);
    return s == null || s.getPool() == null ? "" : s.getPool().getExplanation();
  }

  static PostgresConnectionPolicy policy(String ns, String name) {
    return Policies.autoSizedForDeployment(ns, name, "db", spec -> {});
  }
}
