package io.pgconn.operator.budget;

/**
 * A decision as a division words it, with the terms of that wording ({@link DecisionTerms}): what
 * {@link ServerShares} writes for an admitted policy and {@link Admission} for a refused one.
 */
record WordedDecision(PoolDecision decision, DecisionTerms terms) {}
