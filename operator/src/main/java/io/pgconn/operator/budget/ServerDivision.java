package io.pgconn.operator.budget;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * One server's budget divided among its policies (see {@link ServerShares}).
 *
 * @param decisions a decision per policy id, in no particular order
 * @param terms the terms of the wording of each decision, admitted or refused: none where the
 *     server is unknown
 * @param calm every policy on the server was admitted and fits at its floor (min, or fixed limit),
 *     no raise waits for peers, and every limit counts what pods may run within its capacity. Then
 *     a policy that writes exactly its decision (and whose pods may run that limit, or what they
 *     ran before if that was higher) leaves every decision of the server as it is, its own
 *     included: the division need not be computed again to find who else moved. Anything else (a
 *     refusal, a waiting raise, a floor that does not fit, a written limit other than the decision)
 *     may move peers and needs a new division.
 */
public record ServerDivision(
    Map<String, PoolDecision> decisions, Map<String, DecisionTerms> terms, boolean calm) {

  /**
   * Copied into hash maps: an immutable {@code Map.copyOf} compares keys by {@code equals} at every
   * slot it probes, and ids of one length share most of their characters, so looking up each of a
   * thousand peers cost more than comparing their decisions.
   */
  public ServerDivision {
    decisions = Collections.unmodifiableMap(new HashMap<>(decisions));
    terms = Collections.unmodifiableMap(new HashMap<>(terms));
  }

  /** Decisions whose wording has no terms recorded: each is compared by its text. */
  public ServerDivision(Map<String, PoolDecision> decisions, boolean calm) {
    this(decisions, Map.of(), calm);
  }
}
