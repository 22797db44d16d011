package io.pgconn.operator.reconciler;

import java.time.Duration;

/**
 * Not a failure: the probe this reconcile needs is running on the probe scheduler, and its
 * completion wakes the policy. The reconcile ends without touching status, so a policy's conditions
 * do not flap while it waits (nor after an operator restart).
 */
final class ProbePending extends PolicyFailure {

  private final Duration recheck;

  ProbePending(Duration recheck) {
    super(Reason.PROBE_IN_PROGRESS, "probe in progress");
    this.recheck = recheck;
  }

  /** When to look again should the wake-up be lost: past the probe's own deadline. */
  Duration recheck() {
    return recheck;
  }
}
