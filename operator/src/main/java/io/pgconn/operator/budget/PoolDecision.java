package io.pgconn.operator.budget;

/**
 * The per-pod pool size to write and the arithmetic behind it.
 *
 * @param consumers pods that may hold a pool at once (HPA max or replicas, plus surge)
 * @param budget connections available in the tightest limit this policy counts against (shared with
 *     the other policies there), or null when the server is unknown
 * @param satisfied false when pods x limit does not fit the budget at the policy's min (or fixed
 *     limit); the limit is then the safest one that exists, see {@link BudgetAllocator}
 * @param explanation the arithmetic in one line
 * @param remedy when not satisfied: what to change, with numbers; empty otherwise
 * @param raiseWaiting the limit is below the policy's target because peers' pods still run higher
 *     limits: the rest of the raise follows once they have rolled (see {@link ServerShares})
 */
public record PoolDecision(
    int connectionLimit,
    int consumers,
    Integer budget,
    boolean satisfied,
    String explanation,
    String remedy,
    boolean raiseWaiting) {

  /** The BudgetSatisfied condition's reasons. */
  public enum Reason {
    WITHIN_BUDGET("WithinBudget"),
    INSUFFICIENT_CONNECTIONS("InsufficientConnections"),
    /** The policy's probe never logged in: its limit is its own, no server's budget counts it. */
    NOT_BUDGETED("NotBudgeted");

    private final String wire;

    Reason(String wire) {
      this.wire = wire;
    }

    /** The value in status.conditions[].reason. */
    public String wire() {
      return wire;
    }
  }

  public PoolDecision {
    remedy = remedy == null ? "" : remedy;
  }

  /**
   * A newcomer whose floor does not fit (see {@code Admission}): limit 0, nothing is written for it
   * and it takes nothing from the policies on the server.
   */
  public static PoolDecision notAdmitted(
      int consumers, Integer budget, String explanation, String remedy) {
    return new PoolDecision(0, consumers, budget, false, explanation, remedy, false);
  }

  /** False for a newcomer refused by its server's budget: nothing may be written for it. */
  public boolean admitted() {
    return connectionLimit > 0;
  }

  public PoolDecision(
      int connectionLimit,
      int consumers,
      Integer budget,
      boolean satisfied,
      String explanation,
      String remedy) {
    this(connectionLimit, consumers, budget, satisfied, explanation, remedy, false);
  }

  public PoolDecision(
      int connectionLimit, int consumers, Integer budget, boolean satisfied, String explanation) {
    this(connectionLimit, consumers, budget, satisfied, explanation, "");
  }

  /**
   * Whether a server's budget counts this pool: false for a policy whose probe never logged in (its
   * limit is its own, see {@link BudgetAllocator#unbudgeted}), and whenever no budget is known.
   */
  public boolean budgeted() {
    return budget != null;
  }

  /** The BudgetSatisfied condition's reason. */
  public Reason reason() {
    return !budgeted()
        ? Reason.NOT_BUDGETED
        : satisfied ? Reason.WITHIN_BUDGET : Reason.INSUFFICIENT_CONNECTIONS;
  }

  /** The BudgetSatisfied condition's message: the explanation, then the remedy if any. */
  public String message() {
    return remedy.isEmpty() ? explanation : explanation + ". " + remedy;
  }
}
