package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.budget.RolloutSurge;
import java.util.Map;
import java.util.Optional;

/** Reads the workloads a policy names, as the budget and the stamper need them. */
public class WorkloadInventory {

  private final KubernetesClient client;

  public WorkloadInventory(KubernetesClient client) {
    this.client = client;
  }

  public Optional<Workload> find(WorkloadKey key) {
    return switch (key.kind()) {
      case Deployment -> Optional.ofNullable(
          client.apps().deployments().inNamespace(key.namespace()).withName(key.name()).get())
          .map(d -> deployment(key, d));
      case StatefulSet -> Optional.ofNullable(
          client.apps().statefulSets().inNamespace(key.namespace()).withName(key.name()).get())
          .map(s -> statefulSet(key, s));
      case DaemonSet -> Optional.ofNullable(
          client.apps().daemonSets().inNamespace(key.namespace()).withName(key.name()).get())
          .map(d -> daemonSet(key, d));
    };
  }

  private static Workload deployment(WorkloadKey key, Deployment d) {
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    var strategy = d.getSpec().getStrategy();
    String maxSurge = "0";
    if (strategy == null || strategy.getType() == null || "RollingUpdate".equals(strategy.getType())) {
      var rolling = strategy == null ? null : strategy.getRollingUpdate();
      var surgeSpec = rolling == null ? null : rolling.getMaxSurge();
      maxSurge = surgeSpec == null ? null : String.valueOf(
          surgeSpec.getIntVal() != null ? surgeSpec.getIntVal() : surgeSpec.getStrVal());
    }
    return new Workload(key, replicas, RolloutSurge.resolve(maxSurge, replicas),
        stamp(d.getSpec().getTemplate()), generation(d), maxSurge);
  }

  private static Workload statefulSet(WorkloadKey key, StatefulSet s) {
    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    // StatefulSets replace pods one by one without surge.
    return new Workload(key, replicas, 0, stamp(s.getSpec().getTemplate()), generation(s));
  }

  private static Workload daemonSet(WorkloadKey key, DaemonSet d) {
    Integer scheduled = d.getStatus() == null ? null : d.getStatus().getDesiredNumberScheduled();
    return new Workload(key, scheduled == null ? 1 : scheduled, 0, stamp(d.getSpec().getTemplate()),
        generation(d));
  }

  private static String stamp(PodTemplateSpec template) {
    ObjectMeta meta = template == null ? null : template.getMetadata();
    Map<String, String> annotations = meta == null ? null : meta.getAnnotations();
    return annotations == null ? null : annotations.get(PodTemplateStamper.HASH_ANNOTATION);
  }

  private static long generation(HasMetadata resource) {
    Long generation = resource.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }
}
