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
 * newcomers admitted before it (in id order), after its own reserve and probe connection. A running
 * policy's floor is what it holds (the limit it wrote) when held limits are kept, which is the rule
 * between explicit changes, or its min in a division by weight that an explicit change (a policy's
 * pool, pods or reserve) asked for. A newcomer that does not fit beside them is refused: it takes
 * nothing, and it is told what would make room. It joins at the first division where it fits (a
 * peer deleted or lowered, the server raised, an explicit change). A newcomer alone in a limit
 * harms nobody there and is not refused: it gets the largest limit that fits, unsatisfied.
 *
 * <p>Policies that run already are never refused; when their own floors stop fitting (the server's
 * limit lowered), they share what there is, as before.
 */
final class Admission {

  /**
   * @param refused each refused newcomer's decision, with the terms of its wording
   */
  record Result(List<BudgetPolicy> admitted, Map<String, WordedDecision> refused) {}

  /** Floors, reserves and probe connections of the policies admitted so far, in one scope. */
  private static final class Tally {
    long floors;
    int reserve;
    int policies;
    final Set<String> probes = new HashSet<>();

    final boolean keepHeld;

    Tally(boolean keepHeld) {
      this.keepHeld = keepHeld;
    }

    long capacity(LimitScope scope, ServerView view, Integer unlisted, BudgetPolicy joining) {
      Set<String> withJoining = new HashSet<>(probes);
      if (joining.probeConnection() != null) withJoining.add(joining.probeConnection());
      return ServerShares.capacity(
          scope, view, Math.max(reserve, joining.reserve()), withJoining.size(), unlisted);
    }

    void add(BudgetPolicy policy) {
      floors += floor(policy, keepHeld);
      reserve = Math.max(reserve, policy.reserve());
      policies++;
      if (policy.probeConnection() != null) probes.add(policy.probeConnection());
    }
  }

  private Admission() {}

  /**
   * @param sorted the server's policies, sorted by id
   * @param keepHeld running policies count at what they hold, not at their min
   */
  static Result of(
      ServerKey key,
      List<BudgetPolicy> sorted,
      ServerView view,
      Integer unlisted,
      boolean keepHeld) {
    Map<LimitScope, Tally> tallies = new HashMap<>();
    List<BudgetPolicy> newcomers = new ArrayList<>();
    for (BudgetPolicy policy : sorted) {
      if (policy.previousLimit() == null) {
        newcomers.add(policy);
      } else {
        for (LimitScope scope : scopesOf(key, policy, view)) {
          tally(tallies, scope, keepHeld).add(policy);
        }
      }
    }
    Map<String, WordedDecision> refused = new TreeMap<>();
    for (BudgetPolicy newcomer : newcomers) {
      WordedDecision refusal = null;
      for (LimitScope scope : scopesOf(key, newcomer, view)) {
        Tally tally = tallies.getOrDefault(scope, new Tally(keepHeld));
        long capacity = tally.capacity(scope, view, unlisted, newcomer);
        // Alone in a scope, it harms nobody: it gets the largest limit that fits, unsatisfied.
        if (tally.policies > 0 && tally.floors + floor(newcomer, false) > capacity) {
          refusal = refusal(newcomer, scope, capacity, tally);
          break;
        }
      }
      if (refusal == null) {
        for (LimitScope scope : scopesOf(key, newcomer, view)) {
          tally(tallies, scope, keepHeld).add(newcomer);
        }
      } else {
        refused.put(newcomer.id(), refusal);
      }
    }
    // The admitted in the order given (by id), without sorting them again: a sort compares ids,
    // which share most of their characters, a thousand times per division.
    if (refused.isEmpty()) return new Result(List.copyOf(sorted), refused);
    List<BudgetPolicy> admitted = new ArrayList<>(sorted.size() - refused.size());
    for (BudgetPolicy policy : sorted) {
      if (!refused.containsKey(policy.id())) admitted.add(policy);
    }
    return new Result(List.copyOf(admitted), refused);
  }

  /**
   * The scope's tally, created on first use. Not {@code computeIfAbsent} with a lambda that
   * captures keepHeld: C1, the image's only compiler, creates such a lambda through a method handle
   * it does not inline, once per policy and scope of every division.
   */
  private static Tally tally(Map<LimitScope, Tally> tallies, LimitScope scope, boolean keepHeld) {
    Tally tally = tallies.get(scope);
    if (tally == null) {
      tally = new Tally(keepHeld);
      tallies.put(scope, tally);
    }
    return tally;
  }

  /** The limits a policy counts against: the server's, and its role's and database's if set. */
  static List<LimitScope> scopesOf(ServerKey key, BudgetPolicy policy, ServerView view) {
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

  /**
   * The connections a policy counts for at the least: pods x min (or, kept, pods x what it holds),
   * or pods x its fixed limit.
   */
  static long floor(BudgetPolicy policy, boolean keepHeld) {
    return (long) policy.pods() * floorPerPod(policy, keepHeld);
  }

  private static int floorPerPod(BudgetPolicy policy, boolean keepHeld) {
    return policy.sizing() instanceof PoolSizing.Fixed fixed
        ? fixed.connectionLimit()
        : ServerShares.autoFloor(policy, (PoolSizing.Auto) policy.sizing(), keepHeld);
  }

  private static WordedDecision refusal(
      BudgetPolicy newcomer, LimitScope scope, long capacity, Tally tally) {
    long free = Math.max(0, capacity - tally.floors);
    int pods = newcomer.pods();
    int perPod = floorPerPod(newcomer, false);
    String what = newcomer.sizing() instanceof PoolSizing.Fixed ? "connectionLimit" : "min";
    String explanation =
        "not admitted: it needs "
            + floor(newcomer, false)
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
            + (tally.keepHeld ? " left beside what the " : " left after the floors of the ")
            + tally.policies
            + (tally.policies == 1 ? " policy" : " policies")
            + " already running there"
            + (tally.keepHeld ? (tally.policies == 1 ? " holds" : " hold") : "")
            + "; it takes nothing from them";
    StringBuilder remedy = new StringBuilder("Make room: ");
    boolean lowerFirst = free >= pods && perPod > 1;
    if (lowerFirst) {
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
        .append(
            tally.keepHeld
                ? ", delete a running policy, or change a running policy's pool (its weight, min or"
                    + " max), pods or reserve: an explicit change divides the server again by"
                    + " weight above the mins, this policy included. It joins as soon as it fits."
                : ", or lower another policy's min or delete it. It joins as soon as it fits.");
    return new WordedDecision(
        PoolDecision.notAdmitted(pods, (int) Math.max(0, capacity), explanation, remedy.toString()),
        new DecisionTerms.Refused(
            pods == 1,
            newcomer.sizing() instanceof PoolSizing.Fixed,
            scope.kind(),
            scope.name(),
            tally.keepHeld,
            tally.policies == 1,
            lowerFirst));
  }
}
