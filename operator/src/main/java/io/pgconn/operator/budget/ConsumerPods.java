package io.pgconn.operator.budget;

/**
 * Turns what the cluster says about a workload into the pods that may hold a pool at once.
 *
 * <p>With an HPA the count is the HPA's maxReplicas, never the current replicas: the pool size then
 * depends only on the HPA's bounds, so a scale event cannot change it (and cannot restart the
 * fleet). If someone scaled past the HPA's maximum by hand, those pods exist, so the larger number
 * counts. The surge is resolved against the budgeted count, as the Deployment controller would
 * resolve it at that size.
 */
public final class ConsumerPods {

  private ConsumerPods() {}

  /**
   * @param hpaMaxReplicas the HPA's maxReplicas, or null without an HPA
   * @param maxSurge the rolling update's maxSurge ("25%", "2"), null for the default 25%, "0" for
   *     workloads that never surge (StatefulSets)
   */
  public static Consumer of(
      String kind, String name, int replicas, Integer hpaMaxReplicas, String maxSurge) {
    int budgeted = hpaMaxReplicas == null ? replicas : Math.max(replicas, hpaMaxReplicas);
    return new Consumer(
        kind, name, budgeted, RolloutSurge.resolve(maxSurge, budgeted), hpaMaxReplicas != null);
  }

  /**
   * A DaemonSet: one pod per node, the node count rounded up to a step of {@link NodeHeadroom} so
   * that nodes joining inside the headroom change nothing; its rolling update's maxSurge (a count
   * or a percentage, default 0) is resolved against that.
   *
   * @param scheduledNodes status.desiredNumberScheduled
   * @param maxSurge as written, "0" for none (OnDelete, or no maxSurge)
   */
  public static Consumer daemonSet(String name, int scheduledNodes, String maxSurge) {
    int budgeted = NodeHeadroom.budgeted(scheduledNodes);
    return new Consumer(
        "DaemonSet", name, budgeted, RolloutSurge.resolve(maxSurge, budgeted), false);
  }
}
