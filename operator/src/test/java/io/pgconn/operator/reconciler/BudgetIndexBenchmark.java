package io.pgconn.operator.reconciler;

import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.ConnectionLedger;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The budget index alone, converging n one-pod policies on one server as {@code ScaleBenchmark}
 * does through the operator: every policy registered as a newcomer (held), then decided one by one,
 * each woken peer decided again until nobody is woken, with the connection ledger's allotments read
 * at every decision as a reconcile does. Prints the decisions made and the time per decision at
 * each n, which shows how the cost of one decision grows with a server's policies.
 *
 * <p>Not a test. Run it with {@code mvn -B -o -pl operator -Pbench test-compile exec:exec
 * -Dbench.main=io.pgconn.operator.reconciler.BudgetIndexBenchmark} (sizes: the environment variable
 * BENCH_POLICIES, comma separated; every policy's auto.max: BENCH_POOL_MAX; BENCH_FLOW=arrive
 * decides each newcomer as it arrives, as the reconciler does with a pool of one size that fits at
 * its size, instead of after the settle window; results in docs/benchmarks/scale.md).
 */
public final class BudgetIndexBenchmark {

  /**
   * Every policy's auto.max (BENCH_POOL_MAX, default 20): the first policies fill the server and
   * later ones are refused until it has room. 1 is {@code ScaleBenchmark}'s one size: every
   * newcomer fits, and each arrival moves only its peers' numbers.
   */
  private static final int POOL_MAX =
      Integer.parseInt(System.getenv().getOrDefault("BENCH_POOL_MAX", "20"));

  /**
   * BENCH_FLOW: "settle" (default) decides each newcomer once others arrived after it, as the
   * reconciler does with pools that are not of one size; "arrive" asks whether it fits at its size
   * and decides it at once, as it does with one that does (PoolSizer).
   */
  private static final boolean ARRIVE =
      "arrive".equals(System.getenv().getOrDefault("BENCH_FLOW", "settle"));

  private BudgetIndexBenchmark() {}

  public static void main(String[] args) {
    String sizes = System.getenv().getOrDefault("BENCH_POLICIES", "1000,2000,5000,10000");
    // Warm-up: the same work at a small size, so the first size is not measured interpreted.
    if (ARRIVE) {
      arrive(new ServerBudgetIndex(), 500);
    } else {
      converge(new ServerBudgetIndex(), 500);
    }
    for (String size : sizes.split(",")) {
      int n = Integer.parseInt(size.trim());
      long start = System.nanoTime();
      ServerBudgetIndex index = new ServerBudgetIndex();
      int decisions = ARRIVE ? arrive(index, n) : converge(index, n);
      double ms = (System.nanoTime() - start) / 1e6;
      System.out.printf(
          "%,7d policies: %,7d decisions in %,9.0f ms, %7.3f ms per decision, %,d divisions"
              + " extended%n",
          n, decisions, ms, ms / decisions, index.extensions());
    }
  }

  /**
   * Each newcomer is held, asked whether it fits at its size and, if it does, decided at once;
   * otherwise after the next arrival. Woken peers are decided between arrivals, two at a time.
   */
  static int arrive(ServerBudgetIndex index, int n) {
    ServerKey server = ServerKey.reported("bench");
    ServerLimits limits = new ServerLimits(n + 100, 3, -1, -1);
    Map<String, Integer> written = new HashMap<>();
    LinkedHashSet<String> woken = new LinkedHashSet<>();
    String waiting = null;
    int decisions = 0;
    for (int i = 0; i < n; i++) {
      BudgetPolicy arriving = policy(id(i), server, limits, null);
      index.hold(arriving, id(i), null, false);
      if (waiting != null) {
        decisions += decide(index, waiting, server, limits, written, woken);
        waiting = null;
      }
      if (index.fitsAtItsSize(arriving)) {
        decisions += decide(index, id(i), server, limits, written, woken);
      } else {
        waiting = id(i);
      }
      for (int k = 0; k < 2 && !woken.isEmpty(); k++) {
        decisions += decide(index, woken.iterator().next(), server, limits, written, woken);
      }
    }
    if (waiting != null) decisions += decide(index, waiting, server, limits, written, woken);
    while (!woken.isEmpty()) {
      decisions += decide(index, woken.iterator().next(), server, limits, written, woken);
    }
    return decisions;
  }

  static int converge(ServerBudgetIndex index, int n) {
    ServerKey server = ServerKey.reported("bench");
    ServerLimits limits = new ServerLimits(n + 100, 3, -1, -1);
    Map<String, Integer> written = new HashMap<>();
    LinkedHashSet<String> woken = new LinkedHashSet<>();
    // Policies keep arriving while the first ones are decided: a newcomer is decided once LAG
    // others arrived after it (the settle window), and between two arrivals the reconcile threads
    // also serve up to two woken peers.
    int lag = Math.max(1, n / 10);
    int decisions = 0;
    for (int i = 0; i < n + lag; i++) {
      if (i < n) index.hold(policy(id(i), server, limits, null), id(i), null, false);
      if (i >= lag) decisions += decide(index, id(i - lag), server, limits, written, woken);
      for (int k = 0; k < 2 && !woken.isEmpty(); k++) {
        decisions += decide(index, woken.iterator().next(), server, limits, written, woken);
      }
    }
    while (!woken.isEmpty()) {
      decisions += decide(index, woken.iterator().next(), server, limits, written, woken);
    }
    return decisions;
  }

  private static int decide(
      ServerBudgetIndex index,
      String id,
      ServerKey server,
      ServerLimits limits,
      Map<String, Integer> written,
      LinkedHashSet<String> woken) {
    woken.remove(id);
    ServerBudgetIndex.Allocation allocation =
        index.put(policy(id, server, limits, written.get(id)), true, false, id, null);
    index.consumersShown(
        server, Map.of(), new ConnectionLedger.ConsumerId(id, "app"), LedgerStatus.MAX_CONSUMERS);
    if (allocation.decision().admitted()) {
      written.put(id, allocation.decision().connectionLimit());
    }
    woken.addAll(allocation.peersToWake());
    return 1;
  }

  private static String id(int i) {
    return "scale/svc-" + i;
  }

  private static BudgetPolicy policy(String id, ServerKey server, ServerLimits limits, Integer w) {
    return new BudgetPolicy(
        id,
        server,
        "app",
        "postgres",
        0,
        new PoolSizing.Auto(1, POOL_MAX, 1),
        List.of(new Consumer("Deployment", id.substring(6), 1, 0, false)),
        limits,
        BudgetPolicy.Written.rolledOut(w),
        "[Endpoint[host=127.0.0.1, port=5432]]");
  }
}
