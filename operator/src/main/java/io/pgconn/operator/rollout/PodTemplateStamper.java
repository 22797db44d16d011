package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgconn.operator.kube.OperatorIdentity;
import java.util.Map;

/**
 * Restarts a workload by stamping its pod template with the policy's content hash under the
 * policy's own annotation key ({@link PodTemplateStamps#key}), through server-side apply under the
 * policy's own field manager ({@link OperatorIdentity#policyFieldManager}). Each policy then owns
 * exactly one annotation: GitOps tools and kubectl keep owning everything else, and a policy's
 * apply, which names only its own key, never removes another policy's (server-side apply removes
 * only fields the applying manager owned before).
 */
public class PodTemplateStamper {

  private final KubernetesClient client;

  public PodTemplateStamper(KubernetesClient client) {
    this.client = client;
  }

  public void stamp(WorkloadKey key, String policyName, String contentHash) {
    if (!key.kind().restartable()) {
      throw new IllegalArgumentException(key.kind() + " is not restarted by stamping");
    }
    Map<String, Object> apply =
        Map.of(
            "apiVersion", "apps/v1",
            "kind", key.kind().name(),
            "metadata", Map.of("name", key.name(), "namespace", key.namespace()),
            "spec",
                Map.of(
                    "template",
                    Map.of(
                        "metadata",
                        Map.of(
                            "annotations",
                            Map.of(PodTemplateStamps.key(policyName), contentHash)))));
    PatchContext context =
        new PatchContext.Builder()
            .withPatchType(PatchType.SERVER_SIDE_APPLY)
            .withFieldManager(OperatorIdentity.policyFieldManager(policyName))
            .withForce(true)
            .build();
    String body = Serialization.asJson(apply);
    WorkloadApi.of(key.kind()).named(client, key).patch(context, body);
  }
}
