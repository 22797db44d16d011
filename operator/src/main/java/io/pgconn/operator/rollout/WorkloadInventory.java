package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.WorkloadRef;
import io.pgconn.operator.api.WorkloadsSpec;
import io.pgconn.operator.budget.RolloutSurge;
import java.util.ArrayList;
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

  private final KubernetesClient client;

  public WorkloadInventory(KubernetesClient client) {
    this.client = client;
  }

  public WorkloadSelection select(String namespace, WorkloadsSpec spec, String secretName) {
    Map<WorkloadKey, Workload> found = new LinkedHashMap<>();
    List<WorkloadKey> missing = new ArrayList<>();
    Map<WorkloadKey, Boolean> nextRun = new LinkedHashMap<>();
    for (WorkloadRef ref : spec.getRefs()) {
      WorkloadKey key = new WorkloadKey(ref.kind(), namespace, ref.name());
      if (found.containsKey(key) || nextRun.containsKey(key) || missing.contains(key)) continue;
      if (key.kind().restartable()) {
        find(key).ifPresentOrElse(w -> found.put(key, w), () -> missing.add(key));
      } else if (WorkloadApi.of(key.kind()).named(client, key).get() != null) {
        nextRun.put(key, true);
      } else {
        missing.add(key);
      }
    }
    if (spec.getSelector() != null) {
      for (WorkloadApi<?> api : WorkloadApi.ALL) {
        if (!api.kind().restartable()) continue;
        for (HasMetadata r : api.selected(client, namespace, spec.getSelector())) {
          found.putIfAbsent(api.key(r), workload(api.key(r), r));
        }
      }
    }
    if (spec.getDiscover()) {
      for (WorkloadApi<?> api : WorkloadApi.ALL) {
        for (HasMetadata r : api.reading(client, namespace, secretName)) {
          if (api.kind().restartable()) {
            found.putIfAbsent(api.key(r), workload(api.key(r), r));
          } else {
            nextRun.putIfAbsent(api.key(r), true);
          }
        }
      }
    }
    return new WorkloadSelection(
        List.copyOf(found.values()), List.copyOf(missing), List.copyOf(nextRun.keySet()));
  }

  /** A Deployment, StatefulSet or DaemonSet as it is now; empty if it is gone (or another kind). */
  public Optional<Workload> find(WorkloadKey key) {
    if (!key.kind().restartable()) return Optional.empty();
    return Optional.ofNullable(WorkloadApi.of(key.kind()).named(client, key).get())
        .map(r -> workload(key, r));
  }

  private static Workload workload(WorkloadKey key, HasMetadata resource) {
    if (resource instanceof Deployment d) return deployment(key, d);
    if (resource instanceof StatefulSet s) return statefulSet(key, s);
    if (resource instanceof DaemonSet d) return daemonSet(key, d);
    throw new IllegalArgumentException(key.kind() + " is not restarted");
  }

  static Workload deployment(WorkloadKey key, Deployment d) {
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    var strategy = d.getSpec().getStrategy();
    var rolling = strategy == null ? null : strategy.getRollingUpdate();
    String maxSurge =
        maxSurge(
            strategy == null ? null : strategy.getType(),
            rolling == null ? null : rolling.getMaxSurge(),
            null);
    return workload(
        key,
        d,
        d.getSpec().getTemplate(),
        replicas,
        maxSurge,
        deploymentProgress(d, replicas),
        existing(replicas, d.getStatus() == null ? null : d.getStatus().getReplicas()));
  }

  private static Workload statefulSet(WorkloadKey key, StatefulSet s) {
    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    // StatefulSets replace pods one by one without surge.
    return workload(
        key,
        s,
        s.getSpec().getTemplate(),
        replicas,
        "0",
        statefulSetProgress(s, replicas),
        existing(replicas, s.getStatus() == null ? null : s.getStatus().getReplicas()));
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
    var rolling = strategy == null ? null : strategy.getRollingUpdate();
    String maxSurge =
        maxSurge(
            strategy == null ? null : strategy.getType(),
            rolling == null ? null : rolling.getMaxSurge(),
            "0");
    return workload(
        key,
        d,
        d.getSpec().getTemplate(),
        pods,
        maxSurge,
        daemonSetProgress(d),
        existing(pods, d.getStatus() == null ? null : d.getStatus().getCurrentNumberScheduled()));
  }

  /** Pods a workload has now: what its controller reports, never fewer than its spec asks for. */
  private static int existing(int wanted, Integer reported) {
    return Math.max(wanted, reported == null ? 0 : reported);
  }

  private static Workload workload(
      WorkloadKey key,
      HasMetadata resource,
      PodTemplateSpec template,
      int pods,
      String maxSurge,
      RolloutProgress progress,
      int existing) {
    return new Workload(
        key,
        pods,
        RolloutSurge.resolve(maxSurge, pods),
        PodTemplateStamps.of(template),
        resource.getMetadata().getUid(),
        optedOut(resource),
        progress,
        maxSurge,
        existing);
  }

  /**
   * maxSurge as written ("25%", "2"); {@code unwritten} when a rolling update does not set it, and
   * "0" for any other strategy (it replaces pods without surge).
   */
  private static String maxSurge(String strategyType, IntOrString written, String unwritten) {
    if (strategyType != null && !"RollingUpdate".equals(strategyType)) return "0";
    if (written == null) return unwritten;
    return String.valueOf(written.getIntVal() != null ? written.getIntVal() : written.getStrVal());
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
