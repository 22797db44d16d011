package io.pgconn.operator.budget;

/**
 * Sizes one policy's per-pod pool from the server's real budget: usable slots minus the reserve,
 * shared by every pod that can exist at once. (Sharing one server among several policies, by
 * weight, builds on this.)
 */
public final class PoolBudget {

  private PoolBudget() {}

  public static PoolDecision decide(PoolRequest request) {
    int pods = request.pods();
    if (request.server() == null) {
      int limit = request.fixedLimit() != null ? request.fixedLimit() : request.min();
      return new PoolDecision(limit, pods, null, true,
          "server limits unknown (no successful probe): " + (request.fixedLimit() != null
              ? "fixed connectionLimit " + limit : "using auto.min " + limit));
    }
    ServerLimits server = request.server();
    int budget = Math.max(0, server.usableSlots() - request.reserve());
    String arithmetic = budgetArithmetic(server, request.reserve(), budget);
    if (request.fixedLimit() != null) {
      int limit = request.fixedLimit();
      boolean fits = (long) limit * pods <= budget;
      return new PoolDecision(limit, pods, budget, fits, arithmetic + "; " + pods + " pods x fixed "
          + limit + " = " + (long) limit * pods + (fits ? " fits" : " exceeds the budget"));
    }
    int share = budget / pods;
    int limit = Math.max(request.min(), Math.min(request.max(), share));
    boolean fits = (long) limit * pods <= budget;
    String clamp = share > request.max() ? " (capped at max " + request.max() + ")"
        : share < request.min() ? " (raised to min " + request.min() + ": does not fit)" : "";
    return new PoolDecision(limit, pods, budget, fits,
        arithmetic + "; " + pods + " pods -> " + limit + " each" + clamp);
  }

  private static String budgetArithmetic(ServerLimits server, int reserve, int budget) {
    StringBuilder text = new StringBuilder().append(budget).append(" = ")
        .append(server.maxConnections()).append(" max - ")
        .append(server.reservedConnections()).append(" reserved");
    int usable = server.maxConnections() - server.reservedConnections();
    if (server.usableSlots() < usable) {
      text.append(" (capped at ").append(server.usableSlots()).append(" by role/database limit)");
    }
    return text.append(" - ").append(reserve).append(" reserve").toString();
  }
}
