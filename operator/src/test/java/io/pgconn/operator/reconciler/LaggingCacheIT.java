package io.pgconn.operator.reconciler;

import static io.pgconn.operator.testenv.ClusterFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.testenv.AuditLog;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.Audit;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Policies;
import io.pgconn.operator.testenv.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The operator's cache lags behind the API server under load: a reconcile can start before the echo
 * of the status the previous reconcile wrote has reached it. Such a reconcile must not write that
 * status again. Here the lag is made on purpose and for as long as it takes: the informer is held
 * right before it stores the echo of the policy's first status write, until a probe has woken the
 * policy and its reconcile has run on the old copy.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    operator = false,
    postgres = 16,
    audit = Audit.WRITES)
class LaggingCacheIT {

  static final String NS = "lagging";
  static final String NAME = "held";

  /** Holds the policy informer back, once, from the first copy it caches after a reconcile. */
  static final class InformerHold implements PolicyObserver {

    private final AtomicInteger reconciles = new AtomicInteger();
    private final AtomicInteger reconcilesWhileHeld = new AtomicInteger();
    private final AtomicBoolean held = new AtomicBoolean();
    private final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void readiness(String namespace, String name, boolean ready) {
      if (!NS.equals(namespace) || !NAME.equals(name)) return;
      reconciles.incrementAndGet();
      if (held.get() && release.getCount() > 0) reconcilesWhileHeld.incrementAndGet();
    }

    @Override
    public void caching(String namespace, String name) {
      if (!NS.equals(namespace) || !NAME.equals(name)) return;
      if (reconciles.get() == 0 || !held.compareAndSet(false, true)) return;
      try {
        // A deadline, so that a failing test never leaves the informer stuck.
        release.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    boolean holding() {
      return held.get() && release.getCount() > 0;
    }

    int reconcilesWhileHeld() {
      return reconcilesWhileHeld.get();
    }

    void release() {
      release.countDown();
    }
  }

  @Test
  void aReconcileOnALaggingCacheDoesNotWriteTheSameStatusAgain(
      TestCluster cluster, LocalPostgres postgres, ClusterFixtures k8s, AuditLog audit) {
    postgres.createRole("lag", "pw-lag", null);
    k8s.namespace(NS);
    k8s.secret(NS, "db", Map.of("DATABASE_URL", postgres.url("lag", "pw-lag", "postgres")));
    InformerHold hold = new InformerHold();
    try (OperatorApp app =
        OperatorApp.start(
            cluster.kubeconfigFile(), Map.of("pgconn.namespaces", List.of(NS)), hold)) {
      k8s.create(
          Policies.policy(
              NS,
              NAME,
              "db",
              spec -> {
                spec.getPool().setSslMode("disable");
                // The shortest interval: its probe is what wakes the policy on the old copy.
                spec.getProbe().setInterval("10s");
              }));
      try {
        await().until(hold::holding);
        await().atMost(Duration.ofSeconds(60)).until(() -> hold.reconcilesWhileHeld() > 0);
      } finally {
        hold.release();
      }
      await().until(() -> k8s.ready(NS, NAME));
      assertThat(statusWrites(audit))
          .as("status patches of %s/%s, one reconcile of which ran on a lagging cache", NS, NAME)
          .hasSize(1);
    }
  }

  private static List<AuditLog.Request> statusWrites(AuditLog audit) {
    return audit.requests().stream()
        .filter(r -> NS.equals(r.namespace()) && "status".equals(r.subresource()))
        .filter(r -> r.uri().contains("/postgresconnectionpolicies/" + NAME + "/status"))
        .toList();
  }
}
