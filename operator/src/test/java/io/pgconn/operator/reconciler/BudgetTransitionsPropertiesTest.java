package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.BudgetAllocator;
import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Pools change through paced rollouts: after a policy writes a new limit, its pods run the old and
 * the new one side by side until every workload has rolled, and a workload that is paused, opted
 * out or held never rolls. The model below tracks, for each policy, the highest limit any of its
 * pods may run (the limit at the last completed rollout and every limit written since), and checks
 * after every step that {@code sum of pods x that limit + the operator's probe connections <=
 * budget}: the server never sees more connections than it has, whatever order reconciles and
 * rollouts come in.
 */
class BudgetTransitionsPropertiesTest {

  static final ServerKey SERVER = new ServerKey("db.internal", 5432);
  static final int RESERVED = 3;

  record PolicyGen(int pods, int max, int weight, boolean neverRolls) {}

  /** kind: 0 reconcile, 1 rollout completes, 2 weight change, 3 max change; then reconcile. */
  record Event(int kind, int policy, int value) {}

  record World(int maxConnections, List<PolicyGen> policies, List<Event> events) {
    /**
     * What pools may use: the server less its reserved slots and the operator's own probe
     * connections (the policies log in as one of two roles, one probe connection each).
     */
    int capacity() {
      return maxConnections - RESERVED - Math.min(2, policies.size());
    }
  }

  @Provide
  Arbitrary<World> worlds() {
    Arbitrary<PolicyGen> policy =
        Combinators.combine(
                Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(1, 40),
                Arbitraries.integers().between(1, 4),
                Arbitraries.of(false, false, false, true))
            .as(PolicyGen::new);
    Arbitrary<Event> event =
        Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(1, 40))
            .as(Event::new);
    return Combinators.combine(
            Arbitraries.integers().between(10, 150),
            policy.list().ofMinSize(2).ofMaxSize(4),
            event.list().ofMinSize(5).ofMaxSize(40))
        .as(World::new)
        .filter(w -> w.policies().stream().mapToInt(PolicyGen::pods).sum() <= w.capacity());
  }

  /** The cluster as the operator and the pods see it. */
  static final class Cluster {
    final World world;
    final ServerBudgetIndex index = new ServerBudgetIndex();
    final int[] weight;
    final int[] max;
    final Integer[] secret; // the limit in the target Secret
    final int[] exposure; // the highest limit any pod may run now
    final boolean[] rolled; // every workload runs the Secret's current content
    final boolean[] waiting; // the last decision held a raise back
    final List<String> trace = new ArrayList<>();
    final java.util.Set<Integer> woken = new java.util.TreeSet<>();

    Cluster(World world) {
      this.world = world;
      int n = world.policies().size();
      weight = new int[n];
      max = new int[n];
      secret = new Integer[n];
      exposure = new int[n];
      rolled = new boolean[n];
      waiting = new boolean[n];
      for (int p = 0; p < n; p++) {
        weight[p] = world.policies().get(p).weight();
        max[p] = world.policies().get(p).max();
        rolled[p] = true;
      }
    }

    int n() {
      return world.policies().size();
    }

    BudgetPolicy input(int p) {
      return new BudgetPolicy(
          "ns/p" + p,
          SERVER,
          "app" + p % 2,
          "shop",
          0,
          new PoolSizing.Auto(1, max[p], weight[p]),
          List.of(new Consumer("Deployment", "d" + p, world.policies().get(p).pods(), 0)),
          new ServerLimits(world.maxConnections(), RESERVED, -1, -1),
          BudgetPolicy.Written.rolledOut(secret[p]),
          "probe as app" + p % 2);
    }

    void reconcile(int p) {
      ServerBudgetIndex.Allocation allocation =
          index.put(input(p), rolled[p], false, "app-p" + p, null);
      PoolDecision decision = allocation.decision();
      waiting[p] = decision.raiseWaiting();
      allocation
          .peersToWake()
          .forEach(id -> woken.add(Integer.parseInt(id.substring("ns/p".length()))));
      int written = decision.connectionLimit();
      trace.add("reconcile p" + p + " -> " + written + " (" + decision.explanation() + ")");
      if (secret[p] == null || written != secret[p]) {
        secret[p] = written;
        rolled[p] = false;
        exposure[p] = Math.max(exposure[p], written);
      }
    }

    void complete(int p) {
      if (world.policies().get(p).neverRolls() || rolled[p]) return;
      rolled[p] = true;
      exposure[p] = secret[p];
      trace.add("p" + p + " rolled to " + secret[p]);
    }

    long used() {
      long used = 0;
      for (int p = 0; p < n(); p++) used += (long) world.policies().get(p).pods() * exposure[p];
      return used;
    }

    void checkInvariant() {
      assertThat(used())
          .as(
              "pods x running limits over capacity %d after %s",
              world.capacity(), String.join("\n", trace))
          .isLessThanOrEqualTo(world.capacity());
    }

    /** Reconciles and lets every rollout finish until nothing changes. */
    void settle() {
      for (int round = 0; round < 50; round++) {
        Integer[] before = secret.clone();
        boolean[] rolledBefore = rolled.clone();
        for (int p = 0; p < n(); p++) {
          reconcile(p);
          checkInvariant();
        }
        for (int p = 0; p < n(); p++) {
          complete(p);
          checkInvariant();
        }
        // Peers named by the index reconcile too, as the operator wakes them.
        while (!woken.isEmpty()) {
          int p = woken.iterator().next();
          woken.remove(p);
          reconcile(p);
          checkInvariant();
        }
        if (java.util.Arrays.equals(before, secret)
            && java.util.Arrays.equals(rolledBefore, rolled)) {
          return;
        }
      }
    }
  }

  @Property(tries = 500)
  void neverOverTheBudgetWhilePoolsChange(@ForAll("worlds") World world) {
    Cluster cluster = new Cluster(world);
    // Start from a settled server where every workload rolls.
    boolean[] never = new boolean[cluster.n()];
    for (int p = 0; p < cluster.n(); p++) never[p] = world.policies().get(p).neverRolls();
    settleAll(cluster);
    for (Event e : world.events()) {
      int p = e.policy() % cluster.n();
      switch (e.kind()) {
        case 0 -> cluster.reconcile(p);
        case 1 -> cluster.complete(p);
        case 2 -> {
          cluster.weight[p] = 1 + e.value() % 4;
          cluster.trace.add("p" + p + " weight " + cluster.weight[p]);
          cluster.reconcile(p);
        }
        default -> {
          cluster.max[p] = e.value();
          cluster.trace.add("p" + p + " max " + cluster.max[p]);
          cluster.reconcile(p);
        }
      }
      cluster.checkInvariant();
    }
  }

  @Property(tries = 300)
  void onceEveryRolloutFinishesThePoolsReachTheirTargets(@ForAll("worlds") World world) {
    World rolling = everyWorkloadRolls(world);
    Cluster cluster = new Cluster(rolling);
    settleAll(cluster);
    for (Event e : rolling.events()) {
      int p = e.policy() % cluster.n();
      if (e.kind() == 2) cluster.weight[p] = 1 + e.value() % 4;
      if (e.kind() == 3) cluster.max[p] = e.value();
      cluster.reconcile(p);
    }
    cluster.settle();
    assertEveryPoolAtItsTarget(cluster);
    for (int p = 0; p < cluster.n(); p++) assertThat(cluster.rolled[p]).isTrue();
  }

  /**
   * The operator reconciles a policy only when something of its own changes (its spec, a rollout of
   * its workloads completing) or when the index names it as a peer to wake. Waking only the peers
   * whose decision moved must still bring every pool to the target a full recomputation gives.
   */
  @Property(tries = 300)
  void wokenPeersAloneBringEveryPoolToItsTarget(@ForAll("worlds") World world) {
    World rolling = everyWorkloadRolls(world);
    Cluster cluster = new Cluster(rolling);
    settleAll(cluster);
    cluster.woken.clear();
    for (Event e : rolling.events()) {
      int p = e.policy() % cluster.n();
      if (e.kind() == 1) {
        cluster.complete(p);
      } else if (e.kind() == 2) {
        cluster.weight[p] = 1 + e.value() % 4;
        cluster.trace.add("p" + p + " weight " + cluster.weight[p]);
      } else if (e.kind() == 3) {
        cluster.max[p] = e.value();
        cluster.trace.add("p" + p + " max " + cluster.max[p]);
      }
      cluster.reconcile(p);
      cluster.checkInvariant();
    }
    for (int round = 0; round < 200; round++) {
      while (!cluster.woken.isEmpty()) {
        int p = cluster.woken.iterator().next();
        cluster.woken.remove(p);
        cluster.reconcile(p);
        cluster.checkInvariant();
      }
      boolean rolledSome = false;
      for (int p = 0; p < cluster.n(); p++) {
        if (!cluster.rolled[p]) {
          // The rollout completes: the workload's event reconciles its own policy.
          cluster.complete(p);
          cluster.reconcile(p);
          cluster.checkInvariant();
          rolledSome = true;
        }
      }
      if (!rolledSome && cluster.woken.isEmpty()) break;
    }
    assertEveryPoolAtItsTarget(cluster);
  }

  /** The same world, with every workload rolling (none held, paused or opted out). */
  private static World everyWorkloadRolls(World world) {
    return new World(
        world.maxConnections(),
        world.policies().stream()
            .map(g -> new PolicyGen(g.pods(), g.max(), g.weight(), false))
            .toList(),
        world.events());
  }

  /** Every Secret holds what a full recomputation gives, and no raise still waits. */
  private static void assertEveryPoolAtItsTarget(Cluster cluster) {
    List<BudgetPolicy> settled = new ArrayList<>();
    for (int p = 0; p < cluster.n(); p++) settled.add(cluster.input(p));
    Map<String, PoolDecision> targets = BudgetAllocator.allocate(settled);
    for (int p = 0; p < cluster.n(); p++) {
      assertThat(cluster.secret[p])
          .as("p%d after %s", p, String.join("\n", cluster.trace))
          .isEqualTo(targets.get("ns/p" + p).connectionLimit());
      assertThat(cluster.waiting[p]).as("p%d still waits", p).isFalse();
    }
  }

  @Example
  void aRaiseWaitsUntilThePeerThatLowersHasRolled() {
    // The example: A and B, 4 pods x 10 each on 80 slots (and one probe connection
    // each); A's weight goes to 3.
    World world =
        new World(
            80 + RESERVED + 2,
            List.of(new PolicyGen(4, 40, 1, false), new PolicyGen(4, 40, 1, false)),
            List.of());
    Cluster cluster = new Cluster(world);
    settleAll(cluster);
    assertThat(cluster.secret).containsExactly(10, 10);
    cluster.weight[0] = 3;
    cluster.reconcile(0);
    cluster.checkInvariant();
    cluster.reconcile(1); // B lowers to 5 and starts rolling
    cluster.reconcile(0);
    cluster.checkInvariant();
    cluster.complete(0);
    cluster.complete(1); // B runs 5 everywhere now
    cluster.reconcile(1);
    cluster.reconcile(0);
    assertThat(cluster.secret).containsExactly(15, 5);
    cluster.complete(0);
    cluster.checkInvariant();
  }

  /**
   * A settled server: every policy at its target, rolled out, and known to the index (which, after
   * a restart, is the job of rebuilding it from the cache before any sizing decision; the first of
   * two passes sees only part of the policies, the second all of them).
   */
  private static void settleAll(Cluster cluster) {
    List<BudgetPolicy> fresh = new ArrayList<>();
    for (int p = 0; p < cluster.n(); p++) fresh.add(cluster.input(p));
    Map<String, PoolDecision> targets = BudgetAllocator.allocate(fresh);
    for (int p = 0; p < cluster.n(); p++) {
      cluster.secret[p] = targets.get("ns/p" + p).connectionLimit();
      cluster.exposure[p] = cluster.secret[p];
    }
    for (int pass = 0; pass < 2; pass++) {
      for (int p = 0; p < cluster.n(); p++)
        cluster.index.put(cluster.input(p), true, false, "app-p" + p, null);
    }
    cluster.checkInvariant();
    cluster.settle();
  }
}
