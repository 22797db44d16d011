package io.pgconn.operator.rollout;

import java.util.List;

/**
 * The workloads a policy covers, in sequence order (refs, then selected, then discovered): those
 * found and restartable, the refs that do not exist, and the CronJobs/Jobs that read the Secret
 * (reported, never restarted).
 */
public record WorkloadSelection(
    List<Workload> found, List<WorkloadKey> missing, List<WorkloadKey> nextRun) {

  public static WorkloadSelection empty() {
    return new WorkloadSelection(List.of(), List.of(), List.of());
  }
}
