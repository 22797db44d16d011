package io.pgconn.operator.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The revisions the workload controllers made of each pod template in a namespace, by workload
 * ("Deployment/web"): a Deployment's ReplicaSets, a StatefulSet's or DaemonSet's
 * ControllerRevisions. Every roll makes exactly one, so comparing two snapshots counts how often
 * each workload was rolled in between.
 */
record WorkloadRevisions(Map<String, Set<String>> byWorkload) {

  static WorkloadRevisions of(KubernetesClient admin, String namespace) {
    Map<String, Set<String>> out = new TreeMap<>();
    Stream.concat(
            admin.apps().replicaSets().inNamespace(namespace).list().getItems().stream(),
            admin.apps().controllerRevisions().inNamespace(namespace).list().getItems().stream())
        .forEach(
            revision -> {
              for (OwnerReference owner : owners(revision)) {
                if (Boolean.TRUE.equals(owner.getController())) {
                  out.computeIfAbsent(owner.getKind() + "/" + owner.getName(), k -> new HashSet<>())
                      .add(revision.getMetadata().getName());
                }
              }
            });
    return new WorkloadRevisions(out);
  }

  /** How many revisions each workload has that {@code before} did not, 0 included. */
  Map<String, Integer> addedSince(WorkloadRevisions before) {
    Map<String, Integer> added = new TreeMap<>();
    byWorkload.forEach(
        (workload, names) -> {
          Set<String> fresh = new HashSet<>(names);
          fresh.removeAll(before.byWorkload.getOrDefault(workload, Set.of()));
          added.put(workload, fresh.size());
        });
    return added;
  }

  private static Iterable<OwnerReference> owners(HasMetadata o) {
    return o.getMetadata().getOwnerReferences() == null
        ? Set.of()
        : o.getMetadata().getOwnerReferences();
  }
}
