package io.pgconn.operator.reconciler;

/** The types of status.conditions, with the names users read and kstatus understands. */
public enum ConditionType {
  READY("Ready"),
  CONNECTION_VERIFIED("ConnectionVerified"),
  SECRET_SYNCED("SecretSynced"),
  BUDGET_SATISFIED("BudgetSatisfied"),
  WORKLOADS_UP_TO_DATE("WorkloadsUpToDate"),
  STALLED("Stalled"),
  RECONCILING("Reconciling");

  private final String wire;

  ConditionType(String wire) {
    this.wire = wire;
  }

  /** The name in status.conditions[].type. */
  public String wire() {
    return wire;
  }

  /** The conditions that say how each part of a policy fares, in the order Ready reads them. */
  static final java.util.List<ConditionType> PARTS =
      java.util.List.of(CONNECTION_VERIFIED, SECRET_SYNCED, BUDGET_SATISFIED, WORKLOADS_UP_TO_DATE);
}
