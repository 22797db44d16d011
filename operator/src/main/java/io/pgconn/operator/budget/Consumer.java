package io.pgconn.operator.budget;

/**
 * A workload that holds pools: how many of its pods can exist at the same time. For a Deployment
 * that is its replicas (or its HPA's maximum) plus the rolling update's surge.
 */
public record Consumer(String kind, String name, int replicas, int surge) {

  public Consumer {
    if (replicas < 0 || surge < 0) throw new IllegalArgumentException("negative pod count");
  }

  public int pods() {
    return replicas + surge;
  }
}
