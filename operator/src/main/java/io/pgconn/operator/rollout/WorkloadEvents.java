package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each restart and each hold twice: on the policy (what the operator did) and on the
 * workload (why its pods were replaced, or were not), so that kubectl describe shows it on both.
 * Messages carry names and content hashes only, never content.
 */
public class WorkloadEvents {

  private static final Logger LOG = LoggerFactory.getLogger(WorkloadEvents.class);

  private final KubernetesClient client;
  private final Clock clock;

  public WorkloadEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void restarted(PostgresConnectionPolicy policy, WorkloadKey key, String uid,
      String hash) {
    String policyName = policy.getMetadata().getName();
    emit(policyRef(policy), "Normal", "WorkloadRestarted",
        RolloutSequencer.describe(key) + " restarted for content " + hash);
    emit(workloadRef(key, uid), "Normal", "RestartedByPgconn", "pod template stamped with "
        + PodTemplateStamper.HASH_ANNOTATION + "=" + hash + " by PostgresConnectionPolicy "
        + policyName + ": its connection Secret changed");
  }

  public void held(PostgresConnectionPolicy policy, WorkloadKey key, String uid, String reason,
      String message) {
    emit(policyRef(policy), "Warning", "WorkloadRestartHeld",
        RolloutSequencer.describe(key) + ": " + reason + ": " + message);
    emit(workloadRef(key, uid), "Warning", "RestartHeldByPgconn", "PostgresConnectionPolicy "
        + policy.getMetadata().getName() + " holds the restart: " + reason + ": " + message);
  }

  private static ObjectReference policyRef(PostgresConnectionPolicy policy) {
    var meta = policy.getMetadata();
    return new ObjectReferenceBuilder().withApiVersion(policy.getApiVersion())
        .withKind(policy.getKind()).withName(meta.getName()).withNamespace(meta.getNamespace())
        .withUid(meta.getUid()).build();
  }

  private static ObjectReference workloadRef(WorkloadKey key, String uid) {
    String apiVersion = key.kind().restartable() ? "apps/v1" : "batch/v1";
    return new ObjectReferenceBuilder().withApiVersion(apiVersion).withKind(key.kind().name())
        .withName(key.name()).withNamespace(key.namespace()).withUid(uid).build();
  }

  private void emit(ObjectReference about, String type, String reason, String message) {
    String now = clock.instant().toString();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(about.getName() + "." + UUID.randomUUID().toString().substring(0, 13))
        .withNamespace(about.getNamespace())
        .endMetadata()
        .withInvolvedObject(about)
        .withType(type).withReason(reason).withMessage(message)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent("pgconn-operator").endSource()
        .build();
    try {
      client.v1().events().inNamespace(about.getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // An event is a courtesy: losing one must not fail the reconcile.
      LOG.warn("could not record event {} on {} {}/{}: {}", reason, about.getKind(),
          about.getNamespace(), about.getName(), e.getCode());
    }
  }
}
