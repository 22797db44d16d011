package io.pgconn.operator.rollout;

/** status.workloads[].state: where a workload stands with the policy's current content. */
public enum WorkloadState {
  UP_TO_DATE("UpToDate"),
  RESTARTING("Restarting"),
  PENDING("Pending"),
  HELD("Held"),
  NEXT_RUN("NextRun"),
  MISSING("Missing");

  private final String wire;

  WorkloadState(String wire) {
    this.wire = wire;
  }

  /** The value in status.workloads[].state. */
  public String wire() {
    return wire;
  }

  /** The state a status value names, or null for none (an older or unknown value). */
  public static WorkloadState of(String wire) {
    for (WorkloadState state : values()) {
      if (state.wire.equals(wire)) return state;
    }
    return null;
  }
}
