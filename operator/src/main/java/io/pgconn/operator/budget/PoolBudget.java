package io.pgconn.operator.budget;

/**
 * Sizes one policy's per-pod pool as if it were alone on its server: usable slots minus the
 * reserve, shared by every pod that can exist at once. Policies sharing a server are sized together
 * by {@link BudgetAllocator}; this is the same computation with a single policy.
 */
public final class PoolBudget {

  private static final String ID = "policy";
  private static final ServerKey ALONE = new ServerKey("server", 5432);

  private PoolBudget() {}

  public static PoolDecision decide(PoolRequest request) {
    PoolSizing sizing =
        request.fixedLimit() != null
            ? new PoolSizing.Fixed(request.fixedLimit())
            : new PoolSizing.Auto(request.min(), request.max(), 1);
    BudgetPolicy policy =
        new BudgetPolicy(
            ID,
            ALONE,
            "",
            "",
            request.reserve(),
            sizing,
            request.consumers(),
            request.server(),
            BudgetPolicy.Written.NONE,
            null);
    return BudgetAllocator.allocate(java.util.List.of(policy)).get(ID);
  }
}
