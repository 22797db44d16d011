package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.budget.PoolDecision;
import java.util.Optional;

/**
 * What a pool decision means to the policy that gets it: its limit, its pods, its verdict and the
 * terms of its arithmetic, but not the arithmetic's numbers. A server shared by a thousand policies
 * moves its budget by one whenever any of them joins or the server's unlisted usage moves; a peer
 * whose own share did not move does not have its status rewritten for that. Its explanation and
 * budget catch up with its next decision of its own, or with the hourly probe refresh ({@link
 * PolicyStatusBuilder#PROBE_REFRESH}). (Peers are still woken: waking only those whose verdict
 * moved, tried, left some at a share their own next reconcile changed, 91 target writes at rest at
 * 1,000 policies.)
 *
 * @param terms the message with its numbers replaced and plurals folded: "3 used by unlisted
 *     clients" appearing, a raise waiting for peers, a remedy, a ceiling all change it, and so does
 *     the target a held limit promises ("target 16"); "1095 = 1100 max - 2 probe connections"
 *     against "1096 = ... - 1 probe connection", or "shared with 19 other policies" against 18,
 *     does not
 */
record SizingVerdict(int connectionLimit, int consumers, String reason, String terms) {

  static SizingVerdict of(PoolDecision decision) {
    return new SizingVerdict(
        decision.connectionLimit(),
        decision.consumers(),
        decision.reason().wire(),
        terms(decision.message()));
  }

  /** What a previous status said, if it holds a decision at all. */
  static Optional<SizingVerdict> of(PolicyStatus status) {
    if (status == null
        || status.getPool() == null
        || status.getPool().getConnectionLimit() == null
        || status.getPool().getConsumers() == null) {
      return Optional.empty();
    }
    return StatusParts.condition(status, ConditionType.BUDGET_SATISFIED)
        .filter(c -> c.getMessage() != null && c.getReason() != null)
        .map(
            (Condition c) ->
                new SizingVerdict(
                    status.getPool().getConnectionLimit(),
                    status.getPool().getConsumers(),
                    c.getReason(),
                    terms(c.getMessage())));
  }

  static String terms(String message) {
    return message
        .replaceAll("(?<!target )(?<!\\d)\\d+", "#")
        .replaceAll("ies\\b", "y")
        .replaceAll("(\\w)s\\b", "$1");
  }
}
