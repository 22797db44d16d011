package io.pgconn.operator.reconciler;

import java.time.Duration;

/**
 * Not a failure: no sizing decision is taken yet, because the budget index is still being rebuilt
 * after the operator started (the policy is woken once every policy has been seen, or when the
 * rebuild gives up waiting), or because the policy is a newcomer and other newcomers are still
 * arriving on its server ({@link NewcomerSettle}). The reconcile ends without a write or a status
 * patch and looks again after {@link #recheck}.
 */
final class SizingHeld extends RuntimeException {

  private final Duration recheck;

  SizingHeld(Duration recheck) {
    super("sizing held until its peers are known", null, false, false);
    this.recheck = recheck;
  }

  /** When to look again should the wake-up be lost: when the rebuild stops waiting. */
  Duration recheck() {
    return recheck;
  }
}
