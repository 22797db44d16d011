package io.pgconn.operator.rollout;

import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.ConsumerPods;

/**
 * A workload found in the cluster, with what matters here: its pods at once, the content hash
 * its pod template carries, whether it opted out of restarts and where its own rollout stands.
 *
 * @param maxSurge the rolling update's maxSurge as written ("25%", "2"), null for the default,
 *     "0" for workloads that replace pods without surge
 */
public record Workload(WorkloadKey key, int replicas, int surge, String stampedHash, String uid,
    boolean optedOut, RolloutProgress progress, String maxSurge) {

  /** Annotation on a workload: "false" means the operator never restarts it. */
  public static final String RESTART_ANNOTATION = "pgconn.io/restart";

  public Workload(WorkloadKey key, int replicas, int surge, String stampedHash, String uid,
      boolean optedOut, RolloutProgress progress) {
    this(key, replicas, surge, stampedHash, uid, optedOut, progress, Integer.toString(surge));
  }

  /** As a pool consumer, counted against the HPA's maximum when one scales it. */
  public Consumer asConsumer(Integer hpaMaxReplicas) {
    return ConsumerPods.of(key.kind().name(), key.name(), replicas, hpaMaxReplicas, maxSurge);
  }
}
