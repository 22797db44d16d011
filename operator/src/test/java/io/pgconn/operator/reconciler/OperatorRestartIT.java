package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.Operators;
import io.pgconn.operator.testenv.Policies;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Restarting the operator changes nothing: 20 auto-sized policies share one server, each with a
 * Deployment; once all are Ready and rolled out, the operator is stopped and a new instance
 * started. After every policy has been sized again by the new instance, the API server's audit log
 * shows no Secret write and no Deployment patch since the restart, and every target's content hash
 * is the one it had before. (Before the fix the first policies to reconcile were sized as if alone
 * on the server, wrote a larger limit and restarted their workloads.)
 */
@OperatorEnvironment(
    audit = Audit.SECRETS_AND_DEPLOYMENTS,
    postgres = 16,
    maxConnections = 150,
    namespaces = OperatorRestartIT.NS)
class OperatorRestartIT {

  static final String NS = "restart";
  static final int POLICIES = 20;

  @BeforeAll
  static void roleAndSource(LocalPostgres postgres, ClusterFixtures k8s) {
    postgres.createRole("app", "pw-restart-canary", null);
    k8s.secret(
        NS, "db", Map.of("DATABASE_URL", postgres.url("app", "pw-restart-canary", "postgres")));
  }

  @Test
  void aRestartWritesNoSecretAndRestartsNoWorkload(
      ClusterFixtures k8s, AuditLog audit, Operators operators) {
    List<String> names = IntStream.range(0, POLICIES).mapToObj(i -> "svc-" + i).toList();
    for (String name : names) {
      k8s.deployment(NS, name, name + "-connection");
      k8s.create(Policies.autoSizedForDeployment(NS, name, "db", spec -> {}));
    }
    // Settled: every policy Ready, every rollout complete, limits unchanged for a while.
    await()
        .atMost(Duration.ofMinutes(4))
        .until(
            () -> {
              boolean done = true;
              for (String name : names) done &= !completeRollout(k8s, name);
              return done && names.stream().allMatch(n -> k8s.ready(NS, n));
            });
    Map<String, String> hashes = new HashMap<>();
    await()
        .atMost(Duration.ofMinutes(2))
        .during(Duration.ofSeconds(5))
        .until(
            () -> {
              names.forEach(name -> completeRollout(k8s, name));
              Map<String, String> now = contentHashes(k8s, names);
              boolean same = now.equals(hashes);
              hashes.clear();
              hashes.putAll(now);
              return same && names.stream().allMatch(n -> k8s.ready(NS, n));
            });
    Map<String, Integer> limits = new HashMap<>();
    names.forEach(n -> limits.put(n, k8s.status(NS, n).getPool().getConnectionLimit()));

    operators.stop();
    int before = audit.requests().size();
    MeterRegistry registry = operators.start().context().getBean(MeterRegistry.class);

    // Every policy sized by the new instance, then nothing more for a while.
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> registry.find("pgconn.pool.connection.limit").gauges().size() == POLICIES);
    AtomicInteger seen = new AtomicInteger(-1);
    await()
        .atMost(Duration.ofMinutes(1))
        .during(Duration.ofSeconds(8))
        .until(() -> seen.getAndSet(writes(audit, before).size()) == seen.get());

    List<AuditLog.Request> after = writes(audit, before);
    Map<String, Integer> limitsAfter = new HashMap<>();
    names.forEach(n -> limitsAfter.put(n, k8s.status(NS, n).getPool().getConnectionLimit()));
    assertThat(after)
        .as(
            "Secret writes and Deployment patches after the restart (limits %s -> %s)",
            limits, limitsAfter)
        .isEmpty();
    assertThat(contentHashes(k8s, names)).isEqualTo(hashes);
    assertThat(limitsAfter).isEqualTo(limits);
  }

  // ---------------------------------------------------------------------------------------------

  private static List<AuditLog.Request> writes(AuditLog audit, int from) {
    List<AuditLog.Request> all = audit.requests();
    return all.subList(Math.min(from, all.size()), all.size()).stream()
        .filter(r -> NS.equals(r.namespace()))
        .filter(r -> List.of("create", "update", "patch", "delete").contains(r.verb()))
        .filter(r -> r.subresource().isEmpty())
        .toList();
  }

  private static Map<String, String> contentHashes(ClusterFixtures k8s, List<String> names) {
    Map<String, String> hashes = new HashMap<>();
    for (String name : names) {
      PolicyStatus s = k8s.status(NS, name);
      hashes.put(
          name,
          s == null || s.getSecret() == null ? "" : String.valueOf(s.getSecret().getContentHash()));
    }
    return hashes;
  }

  /** Completes the Deployment's rollout as its controller would; whether there was one. */
  private static boolean completeRollout(ClusterFixtures k8s, String name) {
    try {
      return k8s.completeRollout(NS, name);
    } catch (KubernetesClientException e) {
      // The operator patched the template meanwhile: the next poll completes that rollout.
      if (e.getCode() != 409) throw e;
      return true;
    }
  }
}
