package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.budget.PoolDecision;
import java.util.List;

/** Tells the metrics what a reconcile decided and which workloads it restarted. */
final class ReconcileMetrics {

  private final PolicyObserver observer;

  ReconcileMetrics(PolicyObserver observer) {
    this.observer = observer;
  }

  void report(PolicyView view, PoolDecision decision, PolicyStatus status, PolicyStatus previous) {
    readiness(view, status);
    var server = status.getServer();
    observer.sized(
        view.namespace(),
        view.name(),
        new PolicyObserver.Sizing(
            decision.connectionLimit(),
            decision.consumers(),
            server == null ? null : server.getMaxConnections(),
            server == null ? null : server.getInUse()));
    List<WorkloadStatus> before =
        previous.getWorkloads() == null ? List.of() : previous.getWorkloads();
    for (WorkloadStatus workload : status.getWorkloads()) {
      boolean restartedNow =
          workload.restartedAt() != null
              && before.stream()
                  .noneMatch(
                      w ->
                          w.kind() == workload.kind()
                              && w.name().equals(workload.name())
                              && workload.restartedAt().equals(w.restartedAt()));
      if (restartedNow) {
        observer.restarted(view.namespace(), view.name(), String.valueOf(workload.kind()));
      }
    }
  }

  /** Tells the metrics the policy's Ready condition, after a reconcile that succeeded or failed. */
  void readiness(PolicyView view, PolicyStatus status) {
    if (status.getConditions() == null) return;
    status.getConditions().stream()
        .filter(c -> ConditionType.READY.wire().equals(c.getType()))
        .findFirst()
        .ifPresent(
            c ->
                observer.readiness(
                    view.namespace(),
                    view.name(),
                    ConditionStatus.TRUE.wire().equals(c.getStatus())));
  }
}
