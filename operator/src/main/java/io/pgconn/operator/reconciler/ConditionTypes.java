package io.pgconn.operator.reconciler;

/** Condition types of status.conditions. */
public final class ConditionTypes {
  public static final String READY = "Ready";
  public static final String CONNECTION_VERIFIED = "ConnectionVerified";
  public static final String SECRET_SYNCED = "SecretSynced";
  public static final String WORKLOADS_UP_TO_DATE = "WorkloadsUpToDate";
  public static final String BUDGET_SATISFIED = "BudgetSatisfied";
  public static final String STALLED = "Stalled";
  public static final String RECONCILING = "Reconciling";

  private ConditionTypes() {}
}
