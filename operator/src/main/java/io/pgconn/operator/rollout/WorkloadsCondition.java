package io.pgconn.operator.rollout;

import static io.pgconn.operator.rollout.WorkloadState.*;

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
    boolean upToDate, Reason reason, String message, boolean blocksReady) {

  /** The WorkloadsUpToDate condition's reasons (two are also workloads' own reasons). */
  public enum Reason {
    NO_WORKLOADS("NoWorkloads"),
    UP_TO_DATE("UpToDate"),
    ROLLOUT_HELD("RolloutHeld"),
    WORKLOAD_NOT_FOUND("WorkloadNotFound"),
    RESTART_PENDING("RestartPending"),
    PAUSED(WorkloadReason.PAUSED.wire()),
    ROLLING(WorkloadReason.ROLLING.wire()),
    RESTART_OPTED_OUT("RestartOptedOut");

    private final String wire;

    Reason(String wire) {
      this.wire = wire;
    }

    /** The value in status.conditions[].reason. */
    public String wire() {
      return wire;
    }
  }

  private static final Set<WorkloadState> SETTLED = Set.of(UP_TO_DATE, NEXT_RUN);

  public static WorkloadsCondition of(List<WorkloadStatus> workloads) {
    if (workloads == null || workloads.isEmpty()) {
      return new WorkloadsCondition(
          true, Reason.NO_WORKLOADS, "no workloads listed in spec.workloads", false);
    }
    List<WorkloadStatus> unsettled =
        workloads.stream().filter(w -> !SETTLED.contains(WorkloadState.of(w.state()))).toList();
    if (unsettled.isEmpty()) {
      long restartable =
          workloads.stream().filter(w -> WorkloadState.of(w.state()) == UP_TO_DATE).count();
      return new WorkloadsCondition(
          true,
          Reason.UP_TO_DATE,
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
        if (state == WorkloadState.of(w.state())) {
          return new WorkloadsCondition(
              false,
              state == HELD ? Reason.ROLLOUT_HELD : Reason.WORKLOAD_NOT_FOUND,
              progress + "; " + line(w),
              true);
        }
      }
    }
    for (WorkloadStatus w : unsettled) {
      if (WorkloadReason.RESTART_NEVER.explains(w)) {
        return new WorkloadsCondition(
            false, Reason.RESTART_PENDING, progress + "; " + line(w), true);
      }
    }
    for (WorkloadStatus w : unsettled) {
      if (WorkloadReason.PAUSED.explains(w)) {
        return new WorkloadsCondition(false, Reason.PAUSED, progress + "; " + line(w), false);
      }
    }
    boolean rolling = unsettled.stream().anyMatch(w -> !WorkloadReason.OPTED_OUT.explains(w));
    WorkloadStatus first =
        unsettled.stream()
            .filter(w -> !rolling || !WorkloadReason.OPTED_OUT.explains(w))
            .findFirst()
            .orElseThrow();
    return new WorkloadsCondition(
        false,
        rolling ? Reason.ROLLING : Reason.RESTART_OPTED_OUT,
        progress + "; " + line(first),
        false);
  }

  private static String line(WorkloadStatus w) {
    return w.kind()
        + " "
        + w.name()
        + " "
        + w.state()
        + (w.message() == null ? "" : ": " + w.message());
  }
}
