package io.pgconn.operator.reconciler;

/**
 * The condition reasons the status builder gives of its own: a part that passes, a part it could
 * not evaluate, and Ready when nothing fails. A False condition takes its reason from what failed
 * ({@link PolicyFailure.Reason}, the probe's FailureReason, the budget's and the rollout's own).
 */
enum ConditionReason {
  CONNECTED("Connected"),
  NOT_PROBED("NotProbed"),
  SYNCED("Synced"),
  RECONCILED("Reconciled");

  private final String wire;

  ConditionReason(String wire) {
    this.wire = wire;
  }

  /** The value in status.conditions[].reason. */
  String wire() {
    return wire;
  }
}
