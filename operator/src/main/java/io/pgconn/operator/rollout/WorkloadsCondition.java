package io.pgconn.operator.rollout;

import static io.pgconn.operator.rollout.WorkloadState.*;
import static io.pgconn.operator.rollout.WorkloadStates.*;

import io.pgconn.operator.api.WorkloadStatus;
import java.util.List;
import java.util.Set;

/**
 * The WorkloadsUpToDate condition from status.workloads. A rollout that merely takes its time
 * (restarting, settling, waiting for a slot) and deliberate choices (paused, opted out) make it
 * False without making the policy un-Ready; a held rollout, a missing workload or restart Never
 * with a pending change need someone to act, so they also make Ready False.
 */
public record WorkloadsCondition(
    boolean upToDate, String reason, String message, boolean blocksReady) {

  private static final Set<WorkloadState> SETTLED = Set.of(UP_TO_DATE, NEXT_RUN);

  public static WorkloadsCondition of(List<WorkloadStatus> workloads) {
    if (workloads == null || workloads.isEmpty()) {
      return new WorkloadsCondition(
          true, "NoWorkloads", "no workloads listed in spec.workloads", false);
    }
    List<WorkloadStatus> unsettled =
        workloads.stream().filter(w -> !SETTLED.contains(WorkloadState.of(w.getState()))).toList();
    if (unsettled.isEmpty()) {
      long restartable =
          workloads.stream().filter(w -> WorkloadState.of(w.getState()) == UP_TO_DATE).count();
      return new WorkloadsCondition(
          true,
          "UpToDate",
          restartable
              + " workloads carry the current"
              + " content"
              + (restartable == workloads.size()
                  ? ""
                  : "; " + (workloads.size() - restartable) + " jobs read it on their next run"),
          false);
    }
    String progress =
        (workloads.size() - unsettled.size()) + " of " + workloads.size() + " workloads up to date";
    for (WorkloadState state : List.of(HELD, MISSING)) {
      for (WorkloadStatus w : unsettled) {
        if (state == WorkloadState.of(w.getState())) {
          return new WorkloadsCondition(
              false,
              state == HELD ? "RolloutHeld" : "WorkloadNotFound",
              progress + "; " + line(w),
              true);
        }
      }
    }
    for (WorkloadStatus w : unsettled) {
      if (RESTART_NEVER.equals(w.getReason())) {
        return new WorkloadsCondition(false, "RestartPending", progress + "; " + line(w), true);
      }
    }
    for (WorkloadStatus w : unsettled) {
      if (PAUSED.equals(w.getReason())) {
        return new WorkloadsCondition(false, PAUSED, progress + "; " + line(w), false);
      }
    }
    boolean rolling = unsettled.stream().anyMatch(w -> !OPTED_OUT.equals(w.getReason()));
    WorkloadStatus first =
        unsettled.stream()
            .filter(w -> !rolling || !OPTED_OUT.equals(w.getReason()))
            .findFirst()
            .orElseThrow();
    return new WorkloadsCondition(
        false, rolling ? ROLLING : "RestartOptedOut", progress + "; " + line(first), false);
  }

  private static String line(WorkloadStatus w) {
    return w.getKind()
        + " "
        + w.getName()
        + " "
        + w.getState()
        + (w.getMessage() == null ? "" : ": " + w.getMessage());
  }
}
