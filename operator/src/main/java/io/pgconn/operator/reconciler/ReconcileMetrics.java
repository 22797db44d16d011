package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.ConsumerStatus;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.budget.ConnectionLedger;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.rollout.WorkloadReason;
import io.pgconn.operator.rollout.WorkloadState;
import java.util.List;
import java.util.Set;

/** Tells the metrics what a reconcile decided and which workloads it restarted. */
final class ReconcileMetrics {

  /** Condition reasons that mean another writer or owner is in the way (alerted on). */
  private static final Set<String> CONFLICTS =
      Set.of(
          PolicyFailure.Reason.CONFLICTING_WRITER.wire(),
          PolicyFailure.Reason.TARGET_OWNED_BY_ANOTHER_POLICY.wire(),
          PolicyFailure.Reason.TARGET_SECRET_CONFLICT.wire(),
          PolicyFailure.Reason.BACKUP_SECRET_CONFLICT.wire(),
          PolicyFailure.Reason.HASH_KEY_SECRET_CONFLICT.wire());

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
            server == null ? null : server.getReservedConnections(),
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

  /**
   * The ledger's lines worth a series: the policy's own consumer (the first line), the ones over
   * their allotment and the ones no policy budgets. Series per policy stay bounded by the ledger's
   * bound; the operator's probe and busy peers within their allotment are left to status.
   */
  void ledger(PolicyView view, List<ConsumerStatus> consumers, ConnectionLedger.ConsumerId own) {
    if (consumers == null) return;
    observer.ledger(
        view.namespace(),
        view.name(),
        consumers.stream()
            .filter(
                c ->
                    c.overAllotted()
                        || ConnectionLedger.Standing.NOT_BUDGETED.wire().equals(c.standing())
                        || LedgerStatus.isOwn(c, own))
            .toList());
  }

  /**
   * Tells the metrics the policy's Ready condition and what needs a person, after a reconcile that
   * succeeded or failed.
   */
  void readiness(PolicyView view, PolicyStatus status) {
    readiness(view.namespace(), view.name(), status);
  }

  void readiness(String namespace, String name, PolicyStatus status) {
    if (status.getConditions() == null) return;
    boolean conflict =
        status.getConditions().stream()
            .anyMatch(
                c ->
                    ConditionStatus.FALSE.wire().equals(c.getStatus())
                        && CONFLICTS.contains(c.getReason()));
    // The rollout sequence holding a workload back; a failing policy's holds are its Ready=False.
    boolean held =
        status.getWorkloads() != null
            && status.getWorkloads().stream()
                .anyMatch(
                    w ->
                        WorkloadState.HELD.wire().equals(w.state())
                            && (WorkloadReason.DEADLINE_EXCEEDED.explains(w)
                                || WorkloadReason.SEQUENCE_HELD.explains(w)));
    observer.attention(namespace, name, new PolicyObserver.Attention(conflict, held));
    status.getConditions().stream()
        .filter(c -> ConditionType.READY.wire().equals(c.getType()))
        .findFirst()
        .ifPresent(
            c ->
                observer.readiness(
                    namespace, name, ConditionStatus.TRUE.wire().equals(c.getStatus())));
  }
}
