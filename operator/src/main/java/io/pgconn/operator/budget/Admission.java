package io.pgconn.operator.budget;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which policies a server's budget is divided among. A policy that has written nothing yet (a
 * newcomer) joins only if its floor (pods x min, or pods x its fixed limit) fits in every limit it
 * counts against, together with the floors of the policies already running there and of the
 * newcomers admitted before it (in id order), after its own reserve and probe connection. A
 * newcomer that does not fit beside them is refused: it takes nothing, so the policies already
 * running keep at least their min, and it is told what would make room. It joins at the first
 * division where it fits (a peer deleted or lowered, the server raised). A newcomer alone in a
 * limit harms nobody there and is not refused: it gets the largest limit that fits, unsatisfied.
 *
 * <p>Above their floors, shares stay a fair division among every admitted policy: a newcomer that
 * fits takes part of what its peers hold beyond their min, as a pod's request is guaranteed and
 * what it bursts to is shared. Policies that run already are never refused; when their own floors
 * stop fitting (the server's limit lowered), they share what there is, as before.
 */
final class Admission {

  record Result(List<BudgetPolicy> admitted, Map<String, PoolDecision> refused) {}

  /** Floors, reserves and probe connections of the policies admitted so far, in one scope. */
  private static final class Tally {
    long floors;
    int reserve;
    int policies;
    final Set<String> probes = new HashSet<>();

    long capacity(LimitScope scope, ServerView view, Integer unlisted, BudgetPolicy joining) {
      Set<String> withJoining = new HashSet<>(probes);
      if (joining.probeConnection() != null) withJoining.add(joining.probeConnection());
      return ServerShares.capacity(
          scope, view, Math.max(reserve, joining.reserve()), withJoining.size(), unlisted);
    }

    void add(BudgetPolicy policy) {
      floors += floor(policy);
      reserve = Math.max(reserve, policy.reserve());
      policies++;
      if (policy.probeConnection() != null) probes.add(policy.probeConnection());
    }
  }

  private Admission() {}

  /**
   * @param sorted the server's policies, sorted by id
   */
  static Result of(ServerKey key, List<BudgetPolicy> sorted, ServerView view, Integer unlisted) {
    Map<LimitScope, Tally> tallies = new HashMap<>();
    List<BudgetPolicy> admitted = new ArrayList<>();
    List<BudgetPolicy> newcomers = new ArrayList<>();
    for (BudgetPolicy policy : sorted) {
      if (policy.previousLimit() == null) {
        newcomers.add(policy);
      } else {
        admitted.add(policy);
        for (LimitScope scope : scopesOf(key, policy, view)) {
          tallies.computeIfAbsent(scope, s -> new Tally()).add(policy);
        }
      }
    }
    Map<String, PoolDecision> refused = new TreeMap<>();
    for (BudgetPolicy newcomer : newcomers) {
      PoolDecision refusal = null;
      for (LimitScope scope : scopesOf(key, newcomer, view)) {
        Tally tally = tallies.getOrDefault(scope, new Tally());
        long capacity = tally.capacity(scope, view, unlisted, newcomer);
        // Alone in a scope, it harms nobody: it gets the largest limit that fits, unsatisfied.
        if (tally.policies > 0 && tally.floors + floor(newcomer) > capacity) {
          refusal = refusal(newcomer, scope, capacity, tally);
          break;
        }
      }
      if (refusal == null) {
        admitted.add(newcomer);
        for (LimitScope scope : scopesOf(key, newcomer, view)) {
          tallies.computeIfAbsent(scope, s -> new Tally()).add(newcomer);
        }
      } else {
        refused.put(newcomer.id(), refusal);
      }
    }
    admitted.sort(java.util.Comparator.comparing(BudgetPolicy::id));
    return new Result(List.copyOf(admitted), refused);
  }

  private static List<LimitScope> scopesOf(ServerKey key, BudgetPolicy policy, ServerView view) {
    List<LimitScope> scopes = new ArrayList<>(3);
    scopes.add(LimitScope.server(key));
    if (view.roleLimits().containsKey(policy.user())) {
      scopes.add(LimitScope.role(key, policy.user()));
    }
    if (view.databaseLimits().containsKey(policy.database())) {
      scopes.add(LimitScope.database(key, policy.database()));
    }
    return scopes;
  }

  /** The connections a policy needs at the least: pods x min, or pods x its fixed limit. */
  static long floor(BudgetPolicy policy) {
    return (long) policy.pods() * floorPerPod(policy);
  }

  private static int floorPerPod(BudgetPolicy policy) {
    return policy.sizing() instanceof PoolSizing.Fixed fixed
        ? fixed.connectionLimit()
        : ((PoolSizing.Auto) policy.sizing()).min();
  }

  private static PoolDecision refusal(
      BudgetPolicy newcomer, LimitScope scope, long capacity, Tally tally) {
    long free = Math.max(0, capacity - tally.floors);
    int pods = newcomer.pods();
    int perPod = floorPerPod(newcomer);
    String what = newcomer.sizing() instanceof PoolSizing.Fixed ? "connectionLimit" : "min";
    String explanation =
        "not admitted: it needs "
            + floor(newcomer)
            + " ("
            + pods
            + (pods == 1 ? " pod" : " pods")
            + " x "
            + what
            + " "
            + perPod
            + ") and the "
            + scope.label()
            + " has "
            + free
            + " of "
            + Math.max(0, capacity)
            + " left after the floors of the "
            + tally.policies
            + (tally.policies == 1 ? " policy" : " policies")
            + " already running there; it takes nothing from them";
    StringBuilder remedy = new StringBuilder("Make room: ");
    if (free >= pods && perPod > 1) {
      remedy.append("lower ").append(what).append(" to ").append(free / pods).append(", ");
    }
    remedy
        .append("run fewer pods, raise ")
        .append(
            switch (scope.kind()) {
              case SERVER -> "max_connections";
              case ROLE -> "the role's CONNECTION LIMIT";
              case DATABASE -> "the database's CONNECTION LIMIT";
            })
        .append(", or lower another policy's min or delete it. It joins as soon as it fits.");
    return PoolDecision.notAdmitted(
        pods, (int) Math.max(0, capacity), explanation, remedy.toString());
  }
}
