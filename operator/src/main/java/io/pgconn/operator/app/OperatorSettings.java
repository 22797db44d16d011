package io.pgconn.operator.app;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * Settings under pgconn.* in application.yml (or PGCONN_* environment variables).
 *
 * @param kubeconfig path of a kubeconfig file; unset: in-cluster config, then KUBECONFIG and
 *     ~/.kube/config, as kubectl does
 * @param namespaces namespaces to watch; empty: all namespaces
 * @param leaderElection whether replicas elect a leader through a Lease (only the leader
 *     reconciles), so two replicas are safe
 * @param leaseName the Lease's name
 * @param leaseNamespace where the Lease lives; unset: the namespace the operator runs in
 * @param identity this replica's name in the Lease; unset: the host (pod) name
 * @param exitOnLeadershipLoss exit when leadership is lost, so the replica restarts clean instead
 *     of running half-stopped
 * @param reconcileThreads policies reconciled at once (JOSDK's reconcile pool and its workflow pool
 *     each get this many threads). A reconcile only waits on the API server (probes run on their
 *     own threads), so a few threads keep it busy; JOSDK's default of 50 + 50 took 13 MiB of thread
 *     memory at 1,000 policies (7 with 10 + 10) for no faster convergence
 *     (docs/benchmarks/scale.md)
 */
@ConfigurationProperties("pgconn")
public record OperatorSettings(
    @Nullable String kubeconfig,
    @Bindable(defaultValue = "") List<String> namespaces,
    @Bindable(defaultValue = "false") boolean leaderElection,
    @Bindable(defaultValue = "pgconn-operator") String leaseName,
    @Nullable String leaseNamespace,
    @Nullable String identity,
    @Bindable(defaultValue = "true") boolean exitOnLeadershipLoss,
    @Bindable(defaultValue = "10") int reconcileThreads) {

  public OperatorSettings {
    if (reconcileThreads < 1) {
      throw new IllegalArgumentException(
          "pgconn.reconcile-threads (PGCONN_RECONCILE_THREADS) must be at least 1, was "
              + reconcileThreads);
    }
  }

  public List<String> watchedNamespaces() {
    return namespaces == null
        ? List.of()
        : namespaces.stream().filter(n -> n != null && !n.isBlank()).toList();
  }
}
