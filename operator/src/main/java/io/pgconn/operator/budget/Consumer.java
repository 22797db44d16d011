package io.pgconn.operator.budget;

/**
 * A workload that holds pools: how many of its pods can exist at the same time. For a Deployment
 * that is its replicas (or its HPA's maximum) plus the rolling update's surge.
 *
 * <p>Build one with {@link ConsumerPods#of} when an HPA may be involved: it budgets for the HPA's
 * maximum so that autoscaling inside the HPA's bounds never changes a pool size.
 *
 * @param replicas the replicas budgeted for: the HPA's maxReplicas when {@code autoscaled}
 * @param surge extra pods a rolling update may add, already resolved against {@code replicas}
 * @param autoscaled whether {@code replicas} is an HPA maximum (only changes the explanation)
 */
public record Consumer(String kind, String name, int replicas, int surge, boolean autoscaled) {

  public Consumer {
    if (replicas < 0 || surge < 0) throw new IllegalArgumentException("negative pod count");
  }

  /** A workload without an HPA. */
  public Consumer(String kind, String name, int replicas, int surge) {
    this(kind, name, replicas, surge, false);
  }

  public int pods() {
    return replicas + surge;
  }
}
