package io.pgconn.operator.rollout;

import io.pgconn.operator.api.WorkloadStatus;

/**
 * status.workloads[].reason as the roller gives it: why a workload is in its {@link WorkloadState}.
 * While the policy fails, a held workload carries the failure's condition reason instead.
 */
public enum WorkloadReason {
  ROLLING("RolloutInProgress"),
  SETTLING("Settling"),
  WAITING_FOR_SLOT("WaitingForSlot"),
  PAUSED("Paused"),
  OPTED_OUT("OptedOut"),
  RESTART_NEVER("RestartNever"),
  DEADLINE_EXCEEDED("ProgressDeadlineExceeded"),
  SEQUENCE_HELD("SequenceHeld"),
  NOT_FOUND("NotFound"),
  NOT_RESTARTED("ReadsSecretOnNextRun");

  private final String wire;

  WorkloadReason(String wire) {
    this.wire = wire;
  }

  /** The value in status.workloads[].reason. */
  public String wire() {
    return wire;
  }

  /** Whether this is the reason {@code status} gives. */
  public boolean explains(WorkloadStatus status) {
    return wire.equals(status.reason());
  }
}
