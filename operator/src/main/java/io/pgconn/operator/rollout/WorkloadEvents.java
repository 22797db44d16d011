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

  private final EventRecorder events;

  public WorkloadEvents(EventRecorder events) {
    this.events = events;
  }

  public void restarted(PostgresConnectionPolicy policy, WorkloadKey key, String uid, String hash) {
    String policyName = policy.getMetadata().getName();
    events.record(
        EventRecorder.referenceTo(policy),
        Type.Normal,
        "WorkloadRestarted",
        RolloutSequencer.describe(key) + " restarted for content " + hash);
    events.record(
        workloadRef(key, uid),
        Type.Normal,
        "RestartedByPgconn",
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
        "WorkloadRestartHeld",
        RolloutSequencer.describe(key) + ": " + reason + ": " + message);
    events.record(
        workloadRef(key, uid),
        Type.Warning,
        "RestartHeldByPgconn",
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
