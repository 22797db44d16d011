package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.PolicyStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * When to look again at a failing policy: soon after it starts failing, then less and less often,
 * up to five minutes. Derived from how long Ready has been False, so it needs no memory of its own
 * and survives an operator restart. Any change of the policy or its Secrets still triggers a
 * reconcile at once.
 */
final class FailureBackoff {

  static final Duration MIN = Duration.ofSeconds(2);
  static final Duration MAX = Duration.ofMinutes(5);

  private FailureBackoff() {}

  static Duration next(PolicyStatus status, Instant now) {
    Instant since =
        status.getConditions().stream()
            .filter(
                c ->
                    ConditionType.READY.wire().equals(c.getType())
                        && ConditionStatus.FALSE.wire().equals(c.getStatus()))
            .map(c -> Instant.parse(c.getLastTransitionTime()))
            .findFirst()
            .orElse(now);
    Duration failing = Duration.between(since, now);
    Duration half = failing.dividedBy(2);
    if (half.compareTo(MIN) < 0) return MIN;
    return half.compareTo(MAX) > 0 ? MAX : half;
  }
}
