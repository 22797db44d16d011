package io.pgconn.operator.budget;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The per-pod pool size to write and the arithmetic behind it.
 *
 * <ul>
 *   <li>consumers: pods that may hold a pool at once (HPA max or replicas, plus surge);
 *   <li>budget: connections available in the tightest limit this policy counts against (shared with
 *       the other policies there), or null when the server is unknown;
 *   <li>satisfied: false when pods x limit does not fit the budget at the policy's min (or fixed
 *       limit); the limit is then the safest one that exists, see {@link BudgetAllocator};
 *   <li>explanation: the arithmetic in one line; a division words it only when it is read (see
 *       {@link #worded});
 *   <li>remedy: when not satisfied, what to change, with numbers; empty otherwise;
 *   <li>raiseWaiting: the limit is below the policy's target because peers' pods still run higher
 *       limits: the rest of the raise follows once they have rolled (see {@link ServerShares}).
 * </ul>
 *
 * <p>A value: equal, and hashed, by all of these (it was a record until its explanation became
 * lazy).
 */
public final class PoolDecision {

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

  private final int connectionLimit;
  private final int consumers;
  private final Integer budget;
  private final boolean satisfied;
  private final String remedy;
  private final boolean raiseWaiting;

  /** The explanation once worded; {@link #wording} until then. */
  private volatile String explanation;

  private volatile Supplier<String> wording;

  public PoolDecision(
      int connectionLimit,
      int consumers,
      Integer budget,
      boolean satisfied,
      String explanation,
      String remedy,
      boolean raiseWaiting) {
    this(connectionLimit, consumers, budget, satisfied, explanation, null, remedy, raiseWaiting);
    Objects.requireNonNull(explanation, "explanation");
  }

  private PoolDecision(
      int connectionLimit,
      int consumers,
      Integer budget,
      boolean satisfied,
      String explanation,
      Supplier<String> wording,
      String remedy,
      boolean raiseWaiting) {
    this.connectionLimit = connectionLimit;
    this.consumers = consumers;
    this.budget = budget;
    this.satisfied = satisfied;
    this.explanation = explanation;
    this.wording = wording;
    this.remedy = remedy == null ? "" : remedy;
    this.raiseWaiting = raiseWaiting;
  }

  /**
   * A decision whose explanation is worded when first read. A division decides every policy on its
   * server but only the policy deciding, and the peers that later read theirs, need the text:
   * wording all of them made each newcomer on a server of a thousand build a thousand strings.
   * {@code wording} must read only values that never change, and give the same text every time.
   */
  static PoolDecision worded(
      int connectionLimit,
      int consumers,
      Integer budget,
      boolean satisfied,
      Supplier<String> wording,
      String remedy,
      boolean raiseWaiting) {
    return new PoolDecision(
        connectionLimit,
        consumers,
        budget,
        satisfied,
        null,
        Objects.requireNonNull(wording, "wording"),
        remedy,
        raiseWaiting);
  }

  /**
   * A newcomer whose floor does not fit (see {@code Admission}): limit 0, nothing is written for it
   * and it takes nothing from the policies on the server.
   */
  public static PoolDecision notAdmitted(
      int consumers, Integer budget, String explanation, String remedy) {
    return new PoolDecision(0, consumers, budget, false, explanation, remedy, false);
  }

  public int connectionLimit() {
    return connectionLimit;
  }

  /** Pods that may hold a pool at once (HPA max or replicas, plus surge). */
  public int consumers() {
    return consumers;
  }

  public Integer budget() {
    return budget;
  }

  public boolean satisfied() {
    return satisfied;
  }

  /** The arithmetic in one line, worded now if it was not yet. */
  public String explanation() {
    String worded = explanation;
    if (worded != null) return worded;
    Supplier<String> words = wording;
    // Cleared only after the explanation was set: another thread has worded it.
    if (words == null) return explanation;
    // Two threads may word it at once: both get the same text.
    worded = words.get();
    explanation = worded;
    wording = null; // what the wording reads (a whole division) need not outlive it
    return worded;
  }

  public String remedy() {
    return remedy;
  }

  public boolean raiseWaiting() {
    return raiseWaiting;
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
    return remedy.isEmpty() ? explanation() : explanation() + ". " + remedy;
  }

  // Equal as the record it was: by every component, the explanation worded.

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    return o instanceof PoolDecision d
        && connectionLimit == d.connectionLimit
        && consumers == d.consumers
        && Objects.equals(budget, d.budget)
        && satisfied == d.satisfied
        && raiseWaiting == d.raiseWaiting
        && remedy.equals(d.remedy)
        && explanation().equals(d.explanation());
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        connectionLimit, consumers, budget, satisfied, explanation(), remedy, raiseWaiting);
  }

  @Override
  public String toString() {
    return "PoolDecision[connectionLimit="
        + connectionLimit
        + ", consumers="
        + consumers
        + ", budget="
        + budget
        + ", satisfied="
        + satisfied
        + ", explanation="
        + explanation()
        + ", remedy="
        + remedy
        + ", raiseWaiting="
        + raiseWaiting
        + "]";
  }
}
