package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.api.WorkloadsSpec;
import io.pgconn.operator.budget.RolloutSurge;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the workloads a policy covers, as the budget and the roller need them. Everything is read
 * from the policy's own namespace with plain GETs and LISTs (nothing is cached): refs by name, the
 * selector with a label selector, and with discover every Deployment, StatefulSet and DaemonSet
 * (and CronJob and Job) of the namespace whose pod template reads the target Secret.
 */
public class WorkloadInventory {

  private static final Comparator<HasMetadata> BY_NAME =
      Comparator.comparing(r -> r.getMetadata().getName());

  private final KubernetesClient client;

  public WorkloadInventory(KubernetesClient client) {
    this.client = client;
  }

  public WorkloadSelection select(String namespace, WorkloadsSpec spec, String secretName) {
    Map<WorkloadKey, Workload> found = new LinkedHashMap<>();
    List<WorkloadKey> missing = new ArrayList<>();
    Map<WorkloadKey, Boolean> nextRun = new LinkedHashMap<>();
    for (WorkloadRef ref : spec.getRefs()) {
      WorkloadKey key = new WorkloadKey(ref.getKind(), namespace, ref.getName());
      if (found.containsKey(key) || nextRun.containsKey(key) || missing.contains(key)) continue;
      if (key.kind().restartable()) {
        find(key).ifPresentOrElse(w -> found.put(key, w), () -> missing.add(key));
      } else if (exists(key)) {
        nextRun.put(key, true);
      } else {
        missing.add(key);
      }
    }
    if (spec.getSelector() != null) {
      LabelSelector selector = spec.getSelector();
      addAll(
          found,
          client
              .apps()
              .deployments()
              .inNamespace(namespace)
              .withLabelSelector(selector)
              .list()
              .getItems()
              .stream()
              .sorted(BY_NAME)
              .map(d -> deployment(key(WorkloadKind.Deployment, d), d))
              .toList());
      addAll(
          found,
          client
              .apps()
              .statefulSets()
              .inNamespace(namespace)
              .withLabelSelector(selector)
              .list()
              .getItems()
              .stream()
              .sorted(BY_NAME)
              .map(s -> statefulSet(key(WorkloadKind.StatefulSet, s), s))
              .toList());
      addAll(
          found,
          client
              .apps()
              .daemonSets()
              .inNamespace(namespace)
              .withLabelSelector(selector)
              .list()
              .getItems()
              .stream()
              .sorted(BY_NAME)
              .map(d -> daemonSet(key(WorkloadKind.DaemonSet, d), d))
              .toList());
    }
    if (spec.getDiscover()) {
      addAll(
          found,
          client.apps().deployments().inNamespace(namespace).list().getItems().stream()
              .filter(d -> SecretReferences.references(d.getSpec().getTemplate(), secretName))
              .sorted(BY_NAME)
              .map(d -> deployment(key(WorkloadKind.Deployment, d), d))
              .toList());
      addAll(
          found,
          client.apps().statefulSets().inNamespace(namespace).list().getItems().stream()
              .filter(s -> SecretReferences.references(s.getSpec().getTemplate(), secretName))
              .sorted(BY_NAME)
              .map(s -> statefulSet(key(WorkloadKind.StatefulSet, s), s))
              .toList());
      addAll(
          found,
          client.apps().daemonSets().inNamespace(namespace).list().getItems().stream()
              .filter(d -> SecretReferences.references(d.getSpec().getTemplate(), secretName))
              .sorted(BY_NAME)
              .map(d -> daemonSet(key(WorkloadKind.DaemonSet, d), d))
              .toList());
      client.batch().v1().cronjobs().inNamespace(namespace).list().getItems().stream()
          .filter(c -> SecretReferences.references(cronJobTemplate(c), secretName))
          .sorted(BY_NAME)
          .forEach(c -> nextRun.putIfAbsent(key(WorkloadKind.CronJob, c), true));
      client.batch().v1().jobs().inNamespace(namespace).list().getItems().stream()
          .filter(j -> !ownedByCronJob(j))
          .filter(j -> SecretReferences.references(j.getSpec().getTemplate(), secretName))
          .sorted(BY_NAME)
          .forEach(j -> nextRun.putIfAbsent(key(WorkloadKind.Job, j), true));
    }
    return new WorkloadSelection(
        List.copyOf(found.values()), List.copyOf(missing), List.copyOf(nextRun.keySet()));
  }

  public Optional<Workload> find(WorkloadKey key) {
    return switch (key.kind()) {
      case Deployment ->
          Optional.ofNullable(
                  client
                      .apps()
                      .deployments()
                      .inNamespace(key.namespace())
                      .withName(key.name())
                      .get())
              .map(d -> deployment(key, d));
      case StatefulSet ->
          Optional.ofNullable(
                  client
                      .apps()
                      .statefulSets()
                      .inNamespace(key.namespace())
                      .withName(key.name())
                      .get())
              .map(s -> statefulSet(key, s));
      case DaemonSet ->
          Optional.ofNullable(
                  client
                      .apps()
                      .daemonSets()
                      .inNamespace(key.namespace())
                      .withName(key.name())
                      .get())
              .map(d -> daemonSet(key, d));
      case CronJob, Job -> Optional.empty();
    };
  }

  private boolean exists(WorkloadKey key) {
    return switch (key.kind()) {
      case CronJob ->
          client.batch().v1().cronjobs().inNamespace(key.namespace()).withName(key.name()).get()
              != null;
      case Job ->
          client.batch().v1().jobs().inNamespace(key.namespace()).withName(key.name()).get()
              != null;
      default -> find(key).isPresent();
    };
  }

  private static void addAll(Map<WorkloadKey, Workload> found, List<Workload> workloads) {
    workloads.forEach(w -> found.putIfAbsent(w.key(), w));
  }

  private static WorkloadKey key(WorkloadKind kind, HasMetadata resource) {
    return new WorkloadKey(
        kind, resource.getMetadata().getNamespace(), resource.getMetadata().getName());
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

  static Workload deployment(WorkloadKey key, Deployment d) {
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    var strategy = d.getSpec().getStrategy();
    String maxSurge = "0";
    if (strategy == null
        || strategy.getType() == null
        || "RollingUpdate".equals(strategy.getType())) {
      var rolling = strategy == null ? null : strategy.getRollingUpdate();
      var surgeSpec = rolling == null ? null : rolling.getMaxSurge();
      maxSurge =
          surgeSpec == null
              ? null
              : String.valueOf(
                  surgeSpec.getIntVal() != null ? surgeSpec.getIntVal() : surgeSpec.getStrVal());
    }
    return new Workload(
        key,
        replicas,
        RolloutSurge.resolve(maxSurge, replicas),
        PodTemplateStamps.of(d.getSpec().getTemplate()),
        d.getMetadata().getUid(),
        optedOut(d),
        deploymentProgress(d, replicas),
        maxSurge);
  }

  private static Workload statefulSet(WorkloadKey key, StatefulSet s) {
    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    // StatefulSets replace pods one by one without surge.
    return new Workload(
        key,
        replicas,
        0,
        PodTemplateStamps.of(s.getSpec().getTemplate()),
        s.getMetadata().getUid(),
        optedOut(s),
        statefulSetProgress(s, replicas));
  }

  /**
   * A DaemonSet runs one pod per node; with a rolling update's maxSurge (a count, or a percentage
   * of the nodes, rounded up as the controller does) that many nodes briefly run an old and a new
   * pod side by side, and both hold a pool. Unlike a Deployment's, a DaemonSet's maxSurge defaults
   * to 0, and OnDelete never surges. The budget counts the nodes with headroom (see {@link
   * Workload#asConsumer}).
   */
  static Workload daemonSet(WorkloadKey key, DaemonSet d) {
    Integer scheduled = d.getStatus() == null ? null : d.getStatus().getDesiredNumberScheduled();
    int pods = scheduled == null ? 1 : scheduled;
    var strategy = d.getSpec().getUpdateStrategy();
    String maxSurge = "0";
    if (strategy == null
        || strategy.getType() == null
        || "RollingUpdate".equals(strategy.getType())) {
      var rolling = strategy == null ? null : strategy.getRollingUpdate();
      var surgeSpec = rolling == null ? null : rolling.getMaxSurge();
      if (surgeSpec != null) {
        maxSurge =
            String.valueOf(
                surgeSpec.getIntVal() != null ? surgeSpec.getIntVal() : surgeSpec.getStrVal());
      }
    }
    return new Workload(
        key,
        pods,
        RolloutSurge.resolve(maxSurge, pods),
        PodTemplateStamps.of(d.getSpec().getTemplate()),
        d.getMetadata().getUid(),
        optedOut(d),
        daemonSetProgress(d),
        maxSurge);
  }

  static RolloutProgress deploymentProgress(Deployment d, int replicas) {
    DeploymentStatus s = d.getStatus();
    if (!observed(d, s == null ? null : s.getObservedGeneration())) {
      return RolloutProgress.inProgress(
          "waiting for the Deployment controller to see generation " + generation(d));
    }
    if (s.getConditions() != null) {
      for (DeploymentCondition c : s.getConditions()) {
        if ("Progressing".equals(c.getType())
            && "False".equals(c.getStatus())
            && "ProgressDeadlineExceeded".equals(c.getReason())) {
          return RolloutProgress.failed("ProgressDeadlineExceeded: " + c.getMessage());
        }
      }
    }
    int updated = zeroIfNull(s.getUpdatedReplicas());
    int available = zeroIfNull(s.getAvailableReplicas());
    int total = zeroIfNull(s.getReplicas());
    if (updated == replicas && available == replicas && total == replicas) {
      return RolloutProgress.complete();
    }
    return RolloutProgress.inProgress(
        updated
            + " of "
            + replicas
            + " replicas updated, "
            + available
            + " available, "
            + Math.max(0, total - updated)
            + " old");
  }

  static RolloutProgress statefulSetProgress(StatefulSet set, int replicas) {
    StatefulSetStatus s = set.getStatus();
    if (!observed(set, s == null ? null : s.getObservedGeneration())) {
      return RolloutProgress.inProgress(
          "waiting for the StatefulSet controller to see generation " + generation(set));
    }
    int updated = zeroIfNull(s.getUpdatedReplicas());
    int available = zeroIfNull(s.getAvailableReplicas());
    boolean sameRevision =
        s.getUpdateRevision() == null
            || Objects.equals(s.getUpdateRevision(), s.getCurrentRevision());
    if (sameRevision && updated == replicas && available == replicas) {
      return RolloutProgress.complete();
    }
    return RolloutProgress.inProgress(
        updated + " of " + replicas + " replicas updated, " + available + " available");
  }

  static RolloutProgress daemonSetProgress(DaemonSet set) {
    DaemonSetStatus s = set.getStatus();
    if (!observed(set, s == null ? null : s.getObservedGeneration())) {
      return RolloutProgress.inProgress(
          "waiting for the DaemonSet controller to see generation " + generation(set));
    }
    int desired = zeroIfNull(s.getDesiredNumberScheduled());
    int updated = zeroIfNull(s.getUpdatedNumberScheduled());
    int available = zeroIfNull(s.getNumberAvailable());
    if (updated == desired && available == desired && zeroIfNull(s.getNumberUnavailable()) == 0) {
      return RolloutProgress.complete();
    }
    return RolloutProgress.inProgress(
        updated + " of " + desired + " pods updated, " + available + " available");
  }

  private static boolean observed(HasMetadata resource, Long observedGeneration) {
    return observedGeneration != null && observedGeneration >= generation(resource);
  }

  private static boolean optedOut(HasMetadata resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations != null
        && "false"
            .equalsIgnoreCase(String.valueOf(annotations.get(Workload.RESTART_ANNOTATION)).trim());
  }

  private static int zeroIfNull(Integer i) {
    return i == null ? 0 : i;
  }

  private static long generation(HasMetadata resource) {
    Long generation = resource.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }
}
