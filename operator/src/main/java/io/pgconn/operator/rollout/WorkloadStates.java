package io.pgconn.operator.rollout;

/** The reasons the roller gives in status.workloads[].reason (states: {@link WorkloadState}). */
public final class WorkloadStates {

  public static final String ROLLING = "RolloutInProgress";
  public static final String SETTLING = "Settling";
  public static final String WAITING_FOR_SLOT = "WaitingForSlot";
  public static final String PAUSED = "Paused";
  public static final String OPTED_OUT = "OptedOut";
  public static final String RESTART_NEVER = "RestartNever";
  public static final String DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
  public static final String SEQUENCE_HELD = "SequenceHeld";
  public static final String NOT_FOUND = "NotFound";
  public static final String NOT_RESTARTED = "ReadsSecretOnNextRun";

  private WorkloadStates() {}
}
