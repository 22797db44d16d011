package io.pgconn.operator.reconciler;

import java.time.Duration;

/**
 * Not a failure: the budget index is still being rebuilt after the operator started, so no sizing
 * decision is taken yet. The reconcile ends without a write or a status patch; the policy is woken
 * once every policy has been seen (or when the rebuild gives up waiting).
 */
final class SizingHeld extends RuntimeException {

  private final Duration recheck;

  SizingHeld(Duration recheck) {
    super("sizing held until every policy has reconciled once since start", null, false, false);
    this.recheck = recheck;
  }

  /** When to look again should the wake-up be lost: when the rebuild stops waiting. */
  Duration recheck() {
    return recheck;
  }
}
