package io.pgconn.operator.reconciler;

/** status.conditions[].status, as the Kubernetes conventions spell it. */
public enum ConditionStatus {
  TRUE("True"),
  FALSE("False"),
  UNKNOWN("Unknown");

  private final String wire;

  ConditionStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  static ConditionStatus of(boolean value) {
    return value ? TRUE : FALSE;
  }
}
