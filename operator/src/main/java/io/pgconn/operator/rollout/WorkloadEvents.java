package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.kube.EventRecorder;
import io.pgconn.operator.kube.EventRecorder.Type;

/**
 * Records each restart and each hold twice: on the policy (what the operator did) and on the
 * workload (why its pods were replaced, or were not), so that kubectl describe shows it on both.
 * Messages carry names and content hashes only, never content.
 */
public class WorkloadEvents {

  /** The reasons of these events. */
  private enum Reason {
    WORKLOAD_RESTARTED("WorkloadRestarted"),
    RESTARTED_BY_PGCONN("RestartedByPgconn"),
    WORKLOAD_RESTART_HELD("WorkloadRestartHeld"),
    RESTART_HELD_BY_PGCONN("RestartHeldByPgconn");

    private final String wire;

    Reason(String wire) {
      this.wire = wire;
    }
  }

  private final EventRecorder events;

  public WorkloadEvents(EventRecorder events) {
    this.events = events;
  }

  public void restarted(PostgresConnectionPolicy policy, WorkloadKey key, String uid, String hash) {
    String policyName = policy.getMetadata().getName();
    events.record(
        EventRecorder.referenceTo(policy),
        Type.Normal,
        Reason.WORKLOAD_RESTARTED.wire,
        RolloutSequencer.describe(key) + " restarted for content " + hash);
    events.record(
        workloadRef(key, uid),
        Type.Normal,
        Reason.RESTARTED_BY_PGCONN.wire,
        "pod template stamped"
            + " with "
            + PodTemplateStamps.key(policyName)
            + "="
            + hash
            + " by PostgresConnectionPolicy "
            + policyName
            + ": its connection Secret changed");
  }

  public void held(
      PostgresConnectionPolicy policy, WorkloadKey key, String uid, String reason, String message) {
    events.record(
        EventRecorder.referenceTo(policy),
        Type.Warning,
        Reason.WORKLOAD_RESTART_HELD.wire,
        RolloutSequencer.describe(key) + ": " + reason + ": " + message);
    events.record(
        workloadRef(key, uid),
        Type.Warning,
        Reason.RESTART_HELD_BY_PGCONN.wire,
        "PostgresConnectionPolicy "
            + policy.getMetadata().getName()
            + " holds the restart: "
            + reason
            + ": "
            + message);
  }

  private static ObjectReference workloadRef(WorkloadKey key, String uid) {
    String apiVersion = key.kind().restartable() ? "apps/v1" : "batch/v1";
    return new ObjectReferenceBuilder()
        .withApiVersion(apiVersion)
        .withKind(key.kind().name())
        .withName(key.name())
        .withNamespace(key.namespace())
        .withUid(uid)
        .build();
  }
}
