package io.pgconn.operator.budget;

/**
 * Hysteresis for raising a pool: a new limit reaches pods only through a rolling restart of every
 * workload of the policy, so a raise must be worth it. A raise happens when the target is at least
 * 20 % and at least 2 connections above the limit last written; a smaller gain keeps the old limit
 * (which is below the target, so it still fits). A lower target applies at once: the old limit may
 * no longer fit the budget.
 */
public final class RaiseStep {

  public static final int MIN_CONNECTIONS = 2;
  public static final int MIN_PERCENT = 20;

  private RaiseStep() {}

  /** The smallest raise worth a restart from {@code previous}: max(2, ceil(20 % of previous)). */
  public static int from(int previous) {
    return Math.max(MIN_CONNECTIONS, (previous * MIN_PERCENT + 99) / 100);
  }

  /** Whether to keep {@code previous} instead of moving to {@code target}. */
  public static boolean holds(int previous, int target) {
    return previous <= target && target - previous < from(previous);
  }
}
