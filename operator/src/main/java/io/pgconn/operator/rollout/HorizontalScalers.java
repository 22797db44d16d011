package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.WorkloadKind;
import java.util.HashMap;
import java.util.Map;

/**
 * The maxReplicas of the HPAs (autoscaling/v2) of a namespace, by the workload they scale: pools
 * are sized against the HPA's maximum, so scaling inside its bounds changes nothing.
 */
public class HorizontalScalers {

  private final KubernetesClient client;

  public HorizontalScalers(KubernetesClient client) {
    this.client = client;
  }

  public Map<WorkloadKey, Integer> maxReplicas(String namespace) {
    Map<WorkloadKey, Integer> result = new HashMap<>();
    for (HorizontalPodAutoscaler hpa :
        client
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(namespace)
            .list()
            .getItems()) {
      var target = hpa.getSpec().getScaleTargetRef();
      if (target == null || !"apps/v1".equals(target.getApiVersion())) continue;
      WorkloadKind kind;
      try {
        kind = WorkloadKind.valueOf(target.getKind());
      } catch (IllegalArgumentException e) {
        continue;
      }
      result.merge(
          new WorkloadKey(kind, namespace, target.getName()),
          hpa.getSpec().getMaxReplicas(),
          Math::max);
    }
    return result;
  }
}
