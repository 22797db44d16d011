package io.pgconn.operator.budget;

import java.util.Map;

/**
 * One server's budget divided among its policies (see {@link ServerShares}).
 *
 * @param decisions a decision per policy id, in no particular order
 * @param calm every policy on the server was admitted and fits at its floor (min, or fixed limit),
 *     no raise waits for peers, and every limit counts what pods may run within its capacity. Then
 *     a policy that writes exactly its decision (and whose pods may run that limit, or what they
 *     ran before if that was higher) leaves every decision of the server as it is, its own
 *     included: the division need not be computed again to find who else moved. Anything else (a
 *     refusal, a waiting raise, a floor that does not fit, a written limit other than the decision)
 *     may move peers and needs a new division.
 */
public record ServerDivision(Map<String, PoolDecision> decisions, boolean calm) {

  public ServerDivision {
    decisions = Map.copyOf(decisions);
  }
}
