package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.budget.DecisionTerms;
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

  /**
   * Whether two decisions mean the same to the policy that gets them: the same limit, pods, verdict
   * and raise, and messages that differ at most in numbers {@link #terms} drops. Finer than equal
   * verdicts (no plural folding), and cheap: no string is built, so a division of ten thousand
   * peers can be compared with the last at every decision. A peer whose decision moved only this
   * way would reconcile to write nothing: it is not woken for it.
   */
  static boolean sameMeaning(PoolDecision a, PoolDecision b) {
    return sameMeaning(a, null, b, null);
  }

  /**
   * As {@link #sameMeaning(PoolDecision, PoolDecision)}, by the terms the division recorded for
   * each decision's wording when both have them ({@link DecisionTerms}: a few fields where the
   * texts take a walk over each), else by their texts.
   */
  static boolean sameMeaning(
      PoolDecision a, DecisionTerms aTerms, PoolDecision b, DecisionTerms bTerms) {
    if (a == b) return true;
    return a.connectionLimit() == b.connectionLimit()
        && a.consumers() == b.consumers()
        && a.satisfied() == b.satisfied()
        && a.budgeted() == b.budgeted()
        && a.raiseWaiting() == b.raiseWaiting()
        && (aTerms != null && bTerms != null
            ? aTerms.equals(bTerms)
            : sameTerms(a.explanation(), b.explanation()) && sameTerms(a.remedy(), b.remedy()));
  }

  /**
   * Equal once every run of digits {@link #terms} would replace is taken as one symbol: a run not
   * preceded by "target ".
   */
  static boolean sameTerms(String a, String b) {
    if (a.equals(b)) return true;
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char x = a.charAt(i);
      char y = b.charAt(j);
      if (isDigit(x) && isDigit(y) && (i == 0 || !isDigit(a.charAt(i - 1))) && !afterTarget(a, i)) {
        // Both preceded by the same text, so "target " precedes both or neither.
        while (i < a.length() && isDigit(a.charAt(i))) i++;
        while (j < b.length() && isDigit(b.charAt(j))) j++;
        continue;
      }
      if (x != y) return false;
      i++;
      j++;
    }
    return i == a.length() && j == b.length();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean afterTarget(String s, int at) {
    return s.startsWith("target ", at - "target ".length());
  }

  static String terms(String message) {
    return message
        .replaceAll("(?<!target )(?<!\\d)\\d+", "#")
        .replaceAll("ies\\b", "y")
        .replaceAll("(\\w)s\\b", "$1");
  }
}
