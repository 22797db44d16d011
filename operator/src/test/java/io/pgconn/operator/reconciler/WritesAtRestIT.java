package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A policy in a stable state writes nothing: one that gave up on a writer that keeps reverting it,
 * one whose probe keeps failing, one whose workload never finishes rolling (no controller runs
 * here, so the Deployment's rollout never completes). Writes are counted from the API server's
 * audit log over a quiet window once all three have settled.
 */
@OperatorEnvironment(audit = Audit.WRITES, postgres = 16, ssl = true, maxConnections = 60)
class WritesAtRestIT {

  static final Duration QUIET = Duration.ofSeconds(20);
  static final Set<String> WATCHED =
      Set.of("secrets", "postgresconnectionpolicies", "events", "deployments");

  private final AuditLog audit;
  private final LocalPostgres postgres;
  private final ClusterFixtures k8s;

  WritesAtRestIT(AuditLog audit, LocalPostgres postgres, ClusterFixtures k8s) {
    this.audit = audit;
    this.postgres = postgres;
    this.k8s = k8s;
  }

  @BeforeAll
  static void role(LocalPostgres postgres) {
    postgres.createRole("app", "pw-app", null);
  }

  @Test
  void policiesInAStableStateMakeNoWrites() {
    String ns = "at-rest";
    k8s.namespace(ns);
    String url = postgres.url("app", "pw-app", "postgres");

    // 1. A writer that restores the original whenever the operator rewrote it (a GitOps tool).
    k8s.secret(ns, "fought", Map.of("DATABASE_URL", url));
    k8s.create(
        Policies.policy(
            ns,
            "fight",
            "fought",
            spec -> {
              spec.getTarget().setSecretName("fought");
              // Room for the policies below: a running policy keeps what it holds.
              var auto = new io.pgconn.operator.api.AutoPoolSpec();
              auto.setMax(5);
              spec.getPool().setAuto(auto);
            }));
    Instant deadline = Instant.now().plusSeconds(90);
    while (!k8s.reason(ns, "fight").equals("ConflictingWriter")
        && Instant.now().isBefore(deadline)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  k8s.reason(ns, "fight").equals("ConflictingWriter")
                      || !url.equals(value(ns, "fought")));
      if (!url.equals(value(ns, "fought"))) {
        k8s.replaceSecret(ns, "fought", Map.of("DATABASE_URL", url));
      }
    }
    assertThat(k8s.reason(ns, "fight")).isEqualTo("ConflictingWriter");

    // 2. A probe that keeps failing: the wrong password, probe mode Enforce.
    k8s.secret(ns, "wrong", Map.of("DATABASE_URL", postgres.url("app", "not-it", "postgres")));
    k8s.create(Policies.policy(ns, "failing", "wrong", spec -> {}));

    // 3. A rollout that never completes: nothing runs the Deployment controller here.
    k8s.secret(ns, "fine", Map.of("DATABASE_URL", url));
    k8s.deployment(ns, "web", "rolling-connection");
    k8s.create(
        Policies.policy(
            ns,
            "rolling",
            "fine",
            spec ->
                spec.getWorkloads()
                    .setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, "web")))));

    await()
        .until(
            () ->
                k8s.reason(ns, "failing").equals("AuthenticationFailed")
                    && k8s.condition(ns, "rolling", "Reconciling")
                        .map(c -> "True".equals(c.getStatus()))
                        .orElse(false)
                    // Stamped, and seen waiting for a controller that never comes: its last news.
                    && k8s.status(ns, "rolling").getWorkloads().stream()
                        .anyMatch(
                            w ->
                                String.valueOf(w.message())
                                    .startsWith("waiting for the Deployment controller")));

    // Settled: from here on, nothing writes.
    int before = writes(ns).size();
    String rollingBefore =
        io.fabric8.kubernetes.client.utils.Serialization.asYaml(
            k8s.policy(ns, "rolling").getStatus());
    try {
      await().during(QUIET).atMost(QUIET.plusSeconds(15)).until(() -> writes(ns).size() == before);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // Fall through to the assertion, which names the writes.
    }
    List<AuditLog.Request> all = writes(ns);
    assertThat(all.subList(before, all.size()))
        .as(
            "writes at rest; rolling's status was %s and" + " is %s",
            rollingBefore,
            io.fabric8.kubernetes.client.utils.Serialization.asYaml(
                k8s.policy(ns, "rolling").getStatus()))
        .isEmpty();
  }

  private List<AuditLog.Request> writes(String ns) {
    return audit.requests().stream()
        .filter(r -> ns.equals(r.namespace()) && WATCHED.contains(r.resource()))
        .toList();
  }

  private String value(String ns, String secret) {
    return k8s.secretValue(ns, secret, "DATABASE_URL").orElse("");
  }
}
