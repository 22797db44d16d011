package io.pgconn.operator.reconciler;

import io.pgconn.operator.probe.ProbeResult;

/**
 * A reason the policy cannot be brought to its desired state that the user can fix. Its message
 * says what is wrong, where, and how to fix it, and never carries a password. The target Secret
 * keeps its last good content whenever one of these is thrown.
 */
public class PolicyFailure extends Exception {

  private final ConditionType conditionType;
  private final String reason;
  private final transient ProbeResult probe;

  public PolicyFailure(ConditionType conditionType, String reason, String message) {
    this(conditionType, reason, message, null);
  }

  public PolicyFailure(
      ConditionType conditionType, String reason, String message, ProbeResult probe) {
    super(message, null, false, false);
    this.conditionType = conditionType;
    this.reason = reason;
    this.probe = probe;
  }

  /** The condition that turns False: ConnectionVerified, SecretSynced, ... */
  public ConditionType conditionType() {
    return conditionType;
  }

  public String reason() {
    return reason;
  }

  /** The failed probe, when the failure is one. */
  public ProbeResult probe() {
    return probe;
  }
}
