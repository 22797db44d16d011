package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on a policy, for transitions only (never one per probe). */
public class PolicyEvents {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyEvents.class);

  private final KubernetesClient client;
  private final Clock clock;

  public PolicyEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void normal(PostgresConnectionPolicy policy, String reason, String message) {
    emit(policy, "Normal", reason, message);
  }

  public void warning(PostgresConnectionPolicy policy, String reason, String message) {
    emit(policy, "Warning", reason, message);
  }

  private void emit(PostgresConnectionPolicy policy, String type, String reason, String message) {
    String now = clock.instant().toString();
    var meta = policy.getMetadata();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(meta.getName() + "." + UUID.randomUUID().toString().substring(0, 13))
        .withNamespace(meta.getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(policy.getApiVersion())
            .withKind(policy.getKind()).withName(meta.getName()).withNamespace(meta.getNamespace())
            .withUid(meta.getUid()).build())
        .withType(type).withReason(reason).withMessage(message)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent("pgconn-operator").endSource()
        .build();
    try {
      client.v1().events().inNamespace(meta.getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // An event is a courtesy: losing one must not fail the reconcile.
      LOG.warn("could not record event {} on {}/{}: {}", reason, meta.getNamespace(), meta.getName(),
          e.getCode());
    }
  }
}
