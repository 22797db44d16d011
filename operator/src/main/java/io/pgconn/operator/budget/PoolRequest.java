package io.pgconn.operator.budget;

import java.util.List;

/**
 * One policy's sizing question.
 *
 * @param fixedLimit the user's connectionLimit, or null to size automatically
 * @param server the server's limits, or null when no probe could read them
 */
public record PoolRequest(
    Integer fixedLimit,
    int reserve,
    int min,
    int max,
    List<Consumer> consumers,
    ServerLimits server) {

  public PoolRequest {
    consumers = List.copyOf(consumers);
    if (min < 1 || max < min) throw new IllegalArgumentException("need 1 <= min <= max");
  }

  /** Pods that can hold a pool at once; a policy with no listed workload counts as one pod. */
  public int pods() {
    int pods = consumers.stream().mapToInt(Consumer::pods).sum();
    return Math.max(1, pods);
  }
}
