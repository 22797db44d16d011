package io.pgconn.operator.budget;

/**
 * The per-pod pool size to write and the arithmetic behind it.
 *
 * @param budget connections available to this policy's pods, or null when the server is unknown
 * @param satisfied false when pods x limit exceeds the budget even at the safest limit
 */
public record PoolDecision(int connectionLimit, int consumers, Integer budget, boolean satisfied,
    String explanation) {}
