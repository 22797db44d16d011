package io.pgconn.operator.rollout;

/** The values of status.workloads[].state and the reasons the roller gives. */
public final class WorkloadStates {

  public static final String UP_TO_DATE = "UpToDate";
  public static final String RESTARTING = "Restarting";
  public static final String PENDING = "Pending";
  public static final String HELD = "Held";
  public static final String NEXT_RUN = "NextRun";
  public static final String MISSING = "Missing";

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
