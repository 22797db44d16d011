package io.pgconn.operator.rollout;

import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.ConsumerPods;

/**
 * A workload found in the cluster, with what matters here: its pods at once, the content hashes its
 * pod template carries (one per policy), whether it opted out of restarts and where its own rollout
 * stands.
 *
 * @param maxSurge the rolling update's maxSurge as written ("25%", "2"), null for the default, "0"
 *     for workloads that replace pods without surge
 * @param existing pods the workload has now, as its controller reports them (status.replicas, a
 *     rollout's surge pods included; a DaemonSet's currentNumberScheduled), never fewer than its
 *     spec asks for: what the connection ledger multiplies its pool size by
 */
public record Workload(
    WorkloadKey key,
    int replicas,
    int surge,
    PodTemplateStamps stamps,
    String uid,
    boolean optedOut,
    RolloutProgress progress,
    String maxSurge,
    int existing) {

  /** Annotation on a workload: "false" means the operator never restarts it. */
  public static final String RESTART_ANNOTATION = "pgconn.io/restart";

  /** The content hash this policy last stamped on the pod template, or null. */
  public String stampedHash(String policyName) {
    return stamps.hashOf(policyName);
  }

  /**
   * As a pool consumer, counted against the HPA's maximum when one scales it; a DaemonSet's nodes
   * (its replicas here) with headroom, so that nodes joining restart nothing ({@link
   * io.pgconn.operator.budget.NodeHeadroom}).
   */
  public Consumer asConsumer(Integer hpaMaxReplicas) {
    if (key.kind() == WorkloadKind.DaemonSet) {
      return ConsumerPods.daemonSet(key.name(), replicas, maxSurge);
    }
    return ConsumerPods.of(key.kind().name(), key.name(), replicas, hpaMaxReplicas, maxSurge);
  }
}
