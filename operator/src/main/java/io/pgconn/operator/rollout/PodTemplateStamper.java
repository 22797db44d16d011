package io.pgconn.operator.rollout;

import io.pgconn.operator.kube.OperatorIdentity;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * Restarts a workload by stamping its pod template with the content hash, through server-side
 * apply under the operator's own field manager: only that one annotation is owned by the
 * operator, so GitOps tools and kubectl keep owning everything else.
 */
public class PodTemplateStamper {

  public static final String HASH_ANNOTATION = "pgconn.io/content-hash";

  private final KubernetesClient client;

  public PodTemplateStamper(KubernetesClient client) {
    this.client = client;
  }

  public void stamp(WorkloadKey key, String contentHash) {
    Map<String, Object> apply = Map.of(
        "apiVersion", "apps/v1",
        "kind", key.kind().name(),
        "metadata", Map.of("name", key.name(), "namespace", key.namespace()),
        "spec", Map.of("template", Map.of("metadata",
            Map.of("annotations", Map.of(HASH_ANNOTATION, contentHash)))));
    PatchContext context = new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY)
        .withFieldManager(OperatorIdentity.FIELD_MANAGER)
        .withForce(true)
        .build();
    String body = Serialization.asJson(apply);
    switch (key.kind()) {
      case Deployment -> client.apps().deployments().inNamespace(key.namespace()).withName(key.name())
          .patch(context, body);
      case StatefulSet -> client.apps().statefulSets().inNamespace(key.namespace())
          .withName(key.name()).patch(context, body);
      case DaemonSet -> client.apps().daemonSets().inNamespace(key.namespace()).withName(key.name())
          .patch(context, body);
      default -> throw new IllegalArgumentException(key.kind() + " is not restarted by stamping");
    }
  }
}
