package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadStatus;
import io.pgconn.operator.reconciler.PolicyObserver.Attention;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the chart's ConflictingWriter and RolloutHeld alerts see: the status a reconcile wrote,
 * reduced to two flags. A failing policy's held workloads are its Ready=False, not a held rollout.
 */
class ReconcileMetricsTest {

  private final List<Attention> seen = new ArrayList<>();
  private final ReconcileMetrics metrics =
      new ReconcileMetrics(
          new PolicyObserver() {
            @Override
            public void attention(String namespace, String name, Attention attention) {
              seen.add(attention);
            }
          });

  @Test
  void aConflictReasonIsAConflictingWriter() {
    for (PolicyFailure.Reason reason :
        List.of(
            PolicyFailure.Reason.CONFLICTING_WRITER,
            PolicyFailure.Reason.TARGET_OWNED_BY_ANOTHER_POLICY,
            PolicyFailure.Reason.TARGET_SECRET_CONFLICT,
            PolicyFailure.Reason.BACKUP_SECRET_CONFLICT,
            PolicyFailure.Reason.HASH_KEY_SECRET_CONFLICT)) {
      seen.clear();
      metrics.readiness("shop", "app", status("False", reason.wire(), List.of()));
      assertThat(seen).as(reason.wire()).containsExactly(new Attention(true, false));
    }
  }

  @Test
  void otherFailuresAndHealthyPoliciesAreNot() {
    metrics.readiness(
        "shop",
        "app",
        status("False", PolicyFailure.Reason.SOURCE_SECRET_NOT_FOUND.wire(), List.of()));
    metrics.readiness("shop", "app", status("True", "Reconciled", List.of()));
    assertThat(seen).containsExactly(new Attention(false, false), new Attention(false, false));
  }

  @Test
  void theSequenceHoldingAWorkloadIsAHeldRollout() {
    metrics.readiness(
        "shop",
        "app",
        status(
            "True",
            "Reconciled",
            List.of(
                workload("a", "Held", "ProgressDeadlineExceeded"),
                workload("b", "Held", "SequenceHeld"))));
    metrics.readiness(
        "shop",
        "app",
        status("True", "Reconciled", List.of(workload("b", "Held", "SequenceHeld"))));
    assertThat(seen).containsExactly(new Attention(false, true), new Attention(false, true));
  }

  @Test
  void aFailingPolicysHoldsAndPacingAreNotAHeldRollout() {
    metrics.readiness(
        "shop",
        "app",
        status(
            "False",
            "SourceSecretNotFound",
            List.of(workload("a", "Held", "SourceSecretNotFound"))));
    metrics.readiness(
        "shop",
        "app",
        status(
            "True",
            "Reconciled",
            List.of(
                workload("a", "Restarting", "RolloutInProgress"),
                workload("b", "Pending", "WaitingForSlot"))));
    assertThat(seen).containsExactly(new Attention(false, false), new Attention(false, false));
  }

  private static PolicyStatus status(String ready, String reason, List<WorkloadStatus> workloads) {
    PolicyStatus status = new PolicyStatus();
    status.setConditions(
        new ArrayList<>(
            List.of(
                new ConditionBuilder()
                    .withType("SecretSynced")
                    .withStatus(ready)
                    .withReason(reason)
                    .build(),
                new ConditionBuilder()
                    .withType("Ready")
                    .withStatus(ready)
                    .withReason(reason)
                    .build())));
    status.setWorkloads(new ArrayList<>(workloads));
    return status;
  }

  private static WorkloadStatus workload(String name, String state, String reason) {
    return new WorkloadStatus(WorkloadKind.Deployment, name, state, reason, null, null, null);
  }
}
