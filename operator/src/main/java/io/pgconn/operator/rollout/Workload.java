package io.pgconn.operator.rollout;

import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.ConsumerPods;

/**
 * A workload found in the cluster, with what matters here: its pods at once and the content hash
 * its pod template carries.
 *
 * @param maxSurge the rolling update's maxSurge as written ("25%", "2"), null for the default,
 *     "0" for workloads that replace pods without surge
 */
public record Workload(WorkloadKey key, int replicas, int surge, String stampedHash, long generation,
    String maxSurge) {

  public Workload(WorkloadKey key, int replicas, int surge, String stampedHash, long generation) {
    this(key, replicas, surge, stampedHash, generation, Integer.toString(surge));
  }

  public Consumer asConsumer() {
    return new Consumer(key.kind().name(), key.name(), replicas, surge);
  }

  /** As a pool consumer, counted against the HPA's maximum when one scales it. */
  public Consumer asConsumer(Integer hpaMaxReplicas) {
    return ConsumerPods.of(key.kind().name(), key.name(), replicas, hpaMaxReplicas, maxSurge);
  }
}
