package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.TestCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
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
class OperatorRestartIT {

  static final String NS = "restart";
  static final int POLICIES = 20;

  static AuditLog audit;
  static TestCluster controlPlane;
  static LocalPostgres postgres;
  static OperatorApp app;
  static KubernetesClient client;
  static ClusterFixtures k8s;

  @BeforeAll
  static void start() {
    audit = AuditLog.forSecretsAndDeployments();
    controlPlane = TestCluster.start(audit.apiServerFlags());
    postgres = LocalPostgres.builder().version(16).maxConnections(150).start();
    postgres.createRole("app", "pw-restart-canary", null);
    client = controlPlane.newClient();
    k8s = new ClusterFixtures(client);
    k8s.installCrd();
    app = OperatorApp.start(controlPlane.kubeconfigFile(), Map.of());
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
    if (client != null) client.close();
    if (postgres != null) postgres.close();
    if (controlPlane != null) controlPlane.close();
  }

  @Test
  void aRestartWritesNoSecretAndRestartsNoWorkload() {
    k8s.namespace(NS);
    k8s.secret(
        NS, "db", Map.of("DATABASE_URL", postgres.url("app", "pw-restart-canary", "postgres")));
    List<String> names = IntStream.range(0, POLICIES).mapToObj(i -> "svc-" + i).toList();
    for (String name : names) {
      k8s.deployment(NS, name, name + "-connection");
      k8s.create(policy(name));
    }
    // Settled: every policy Ready, every rollout complete, limits unchanged for a while.
    await()
        .atMost(Duration.ofMinutes(4))
        .until(
            () -> {
              boolean done = true;
              for (String name : names) done &= !completeRollout(name);
              return done && names.stream().allMatch(OperatorRestartIT::ready);
            });
    Map<String, String> hashes = new HashMap<>();
    await()
        .atMost(Duration.ofMinutes(2))
        .during(Duration.ofSeconds(5))
        .until(
            () -> {
              names.forEach(OperatorRestartIT::completeRollout);
              Map<String, String> now = contentHashes(names);
              boolean same = now.equals(hashes);
              hashes.clear();
              hashes.putAll(now);
              return same && names.stream().allMatch(OperatorRestartIT::ready);
            });
    Map<String, Integer> limits = new HashMap<>();
    names.forEach(n -> limits.put(n, status(n).getPool().getConnectionLimit()));

    app.close();
    int before = audit.requests().size();
    app = OperatorApp.start(controlPlane.kubeconfigFile(), Map.of());
    MeterRegistry registry = app.context().getBean(MeterRegistry.class);

    // Every policy sized by the new instance, then nothing more for a while.
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> registry.find("pgconn.pool.connection.limit").gauges().size() == POLICIES);
    java.util.concurrent.atomic.AtomicInteger seen =
        new java.util.concurrent.atomic.AtomicInteger(-1);
    await()
        .atMost(Duration.ofMinutes(1))
        .during(Duration.ofSeconds(8))
        .until(() -> seen.getAndSet(writes(before).size()) == seen.get());

    List<AuditLog.Request> after = writes(before);
    Map<String, Integer> limitsAfter = new HashMap<>();
    names.forEach(n -> limitsAfter.put(n, status(n).getPool().getConnectionLimit()));
    assertThat(after)
        .as(
            "Secret writes and Deployment patches after the restart (limits %s -> %s)",
            limits, limitsAfter)
        .isEmpty();
    assertThat(contentHashes(names)).isEqualTo(hashes);
    assertThat(limitsAfter).isEqualTo(limits);
  }

  // ---------------------------------------------------------------------------------------------

  private static List<AuditLog.Request> writes(int from) {
    List<AuditLog.Request> all = audit.requests();
    return all.subList(Math.min(from, all.size()), all.size()).stream()
        .filter(r -> NS.equals(r.namespace()))
        .filter(r -> List.of("create", "update", "patch", "delete").contains(r.verb()))
        .filter(r -> r.subresource().isEmpty())
        .toList();
  }

  private static Map<String, String> contentHashes(List<String> names) {
    Map<String, String> hashes = new HashMap<>();
    for (String name : names) {
      PolicyStatus s = status(name);
      hashes.put(
          name,
          s == null || s.getSecret() == null ? "" : String.valueOf(s.getSecret().getContentHash()));
    }
    return hashes;
  }

  private static boolean ready(String name) {
    return k8s.condition(NS, name, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /** Writes the status the Deployment controller would; returns whether there was one to write. */
  private static boolean completeRollout(String name) {
    Deployment d = k8s.getDeployment(NS, name).orElseThrow();
    Long generation = d.getMetadata().getGeneration();
    if (d.getStatus() != null && generation.equals(d.getStatus().getObservedGeneration())) {
      return false;
    }
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(generation)
            .withReplicas(2)
            .withUpdatedReplicas(2)
            .withAvailableReplicas(2)
            .withReadyReplicas(2)
            .build());
    try {
      client.apps().deployments().inNamespace(NS).resource(d).updateStatus();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      // The operator patched the template meanwhile: the next poll completes that rollout.
      if (e.getCode() != 409) throw e;
    }
    return true;
  }

  private static PolicyStatus status(String name) {
    PostgresConnectionPolicy policy = k8s.policy(NS, name);
    return policy == null ? null : policy.getStatus();
  }

  private static org.awaitility.core.ConditionFactory await() {
    return Awaitility.await().pollInterval(Duration.ofMillis(200));
  }

  private static PostgresConnectionPolicy policy(String name) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef("db", "DATABASE_URL"));
    spec.getPool().setSslMode("disable");
    AutoPoolSpec auto = new AutoPoolSpec();
    auto.setReserve(0);
    spec.getPool().setAuto(auto);
    spec.getProbe().setInterval("1h");
    spec.getWorkloads().setRefs(List.of(new WorkloadRef(WorkloadKind.Deployment, name)));
    spec.getWorkloads().setSettleSeconds(0);
    policy.setSpec(spec);
    return policy;
  }
}
