package io.pgconn.operator.kube;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events about an object. Callers decide when (transitions only, never one per
 * probe) and keep messages to names, reasons and hashes: never content.
 */
public class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  public enum Type {
    Normal,
    Warning
  }

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public static ObjectReference referenceTo(HasMetadata object) {
    var meta = object.getMetadata();
    return new ObjectReferenceBuilder()
        .withApiVersion(object.getApiVersion())
        .withKind(object.getKind())
        .withName(meta.getName())
        .withNamespace(meta.getNamespace())
        .withUid(meta.getUid())
        .build();
  }

  public void record(ObjectReference about, Type type, String reason, String message) {
    String now = clock.instant().toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(about.getName() + "." + UUID.randomUUID().toString().substring(0, 13))
            .withNamespace(about.getNamespace())
            .endMetadata()
            .withInvolvedObject(about)
            .withType(type.name())
            .withReason(reason)
            .withMessage(message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(OperatorIdentity.NAME)
            .endSource()
            .build();
    try {
      client.v1().events().inNamespace(about.getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // An event is a courtesy: losing one must not fail the reconcile.
      LOG.warn(
          "could not record event {} on {} {}/{}: {}",
          reason,
          about.getKind(),
          about.getNamespace(),
          about.getName(),
          e.getCode());
    }
  }
}
