package io.pgconn.operator.rollout;

import io.pgconn.operator.budget.Consumer;

/**
 * A workload found in the cluster, with what matters here: its pods at once, the content hash
 * its pod template carries, whether it opted out of restarts and where its own rollout stands.
 */
public record Workload(WorkloadKey key, int replicas, int surge, String stampedHash,
    long generation, String uid, boolean optedOut, RolloutProgress progress) {

  /** Annotation on a workload: "false" means the operator never restarts it. */
  public static final String RESTART_ANNOTATION = "pgconn.io/restart";

  public Workload(WorkloadKey key, int replicas, int surge, String stampedHash, long generation) {
    this(key, replicas, surge, stampedHash, generation, null, false, RolloutProgress.complete());
  }

  public Consumer asConsumer() {
    return new Consumer(key.kind().name(), key.name(), replicas, surge);
  }
}
