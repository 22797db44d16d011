package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.pgconn.operator.api.WorkloadKind;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Where each kind of workload lives in the Kubernetes API and where its pod template is: one place
 * for the inventory's reads and the stamper's patches, whatever the kind.
 */
record WorkloadApi<T extends HasMetadata>(
    WorkloadKind kind, Class<T> type, Function<T, PodTemplateSpec> template) {

  /** Every kind, in the order the inventory reports what it discovers. */
  static final List<WorkloadApi<?>> ALL =
      List.of(
          new WorkloadApi<>(
              WorkloadKind.Deployment, Deployment.class, d -> d.getSpec().getTemplate()),
          new WorkloadApi<>(
              WorkloadKind.StatefulSet, StatefulSet.class, s -> s.getSpec().getTemplate()),
          new WorkloadApi<>(
              WorkloadKind.DaemonSet, DaemonSet.class, d -> d.getSpec().getTemplate()),
          new WorkloadApi<>(WorkloadKind.CronJob, CronJob.class, WorkloadApi::cronJobTemplate),
          // A Job its CronJob created counts as that CronJob's, not as a workload of its own.
          new WorkloadApi<>(
              WorkloadKind.Job,
              Job.class,
              j -> ownedByCronJob(j) ? null : j.getSpec().getTemplate()));

  private static final Comparator<HasMetadata> BY_NAME =
      Comparator.comparing(r -> r.getMetadata().getName());

  static WorkloadApi<?> of(WorkloadKind kind) {
    return ALL.stream().filter(api -> api.kind == kind).findFirst().orElseThrow();
  }

  /** The workload {@code key} names (it may not exist). */
  Resource<T> named(KubernetesClient client, WorkloadKey key) {
    return client.resources(type).inNamespace(key.namespace()).withName(key.name());
  }

  /** The namespace's workloads of this kind that match {@code selector}, by name. */
  List<T> selected(KubernetesClient client, String namespace, LabelSelector selector) {
    return sorted(
        client
            .resources(type)
            .inNamespace(namespace)
            .withLabelSelector(selector)
            .list()
            .getItems());
  }

  /**
   * The namespace's workloads of this kind whose pod template reads {@code secretName}, by name.
   */
  List<T> reading(KubernetesClient client, String namespace, String secretName) {
    return sorted(
        client.resources(type).inNamespace(namespace).list().getItems().stream()
            .filter(r -> SecretReferences.references(template.apply(r), secretName))
            .toList());
  }

  WorkloadKey key(HasMetadata resource) {
    return new WorkloadKey(
        kind, resource.getMetadata().getNamespace(), resource.getMetadata().getName());
  }

  private static <T extends HasMetadata> List<T> sorted(List<T> resources) {
    return resources.stream().sorted(BY_NAME).toList();
  }

  private static PodTemplateSpec cronJobTemplate(CronJob cronJob) {
    var spec = cronJob.getSpec();
    if (spec == null || spec.getJobTemplate() == null || spec.getJobTemplate().getSpec() == null) {
      return null;
    }
    return spec.getJobTemplate().getSpec().getTemplate();
  }

  private static boolean ownedByCronJob(Job job) {
    var owners = job.getMetadata().getOwnerReferences();
    return owners != null && owners.stream().anyMatch(o -> "CronJob".equals(o.getKind()));
  }
}
