package io.pgconn.operator.rollout;

import io.pgconn.operator.budget.Consumer;

/**
 * A workload found in the cluster, with what matters here: its pods at once and the content hash
 * its pod template carries.
 */
public record Workload(WorkloadKey key, int replicas, int surge, String stampedHash, long generation) {

  public Consumer asConsumer() {
    return new Consumer(key.kind().name(), key.name(), replicas, surge);
  }
}
