package io.pgconn.operator.budget;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sizes the pools of every policy, server by server: all policies whose URLs reach the same server
 * share {@code max_connections - reserved - the largest reserve - unlisted usage}, each gets a
 * share by weight, each pod {@code share / pods} within {@code [min, max]}; role and database
 * limits cap the policies that share them. Whenever every policy on a server is satisfied, for the
 * server and for each role and database limit: {@code sum of pods x limit <= budget}.
 *
 * <p>The result is a function of the set of policies: input order does not matter, so when one
 * policy changes, recomputing every policy on its server gives the same answer whichever policy
 * reconciles first. A limit depends on pods through HPA maxima (see {@link ConsumerPods}), so
 * autoscaling inside an HPA's bounds changes nothing.
 *
 * <p>When the budget cannot give a policy its min per pod, the policy is not satisfied and its
 * limit is the largest that fits (at least 1): connections beyond the budget do not exist, so a min
 * that does not fit would only turn into "too many clients" errors, for this workload and for every
 * other client of the server. The decision's remedy says what to change.
 *
 * <p>Unlisted usage (connections in pg_stat_activity that no policy's pods account for) is an input
 * per server; unknown (null or absent) counts as 0, because the reserve exists exactly for such
 * clients, and guessing would shrink every pool on the server.
 */
public final class BudgetAllocator {

  private BudgetAllocator() {}

  /**
   * @param unlistedUsage connections per server that no policy's pods account for; a missing server
   *     or a null value means unknown (counted as 0)
   * @return a decision per policy id, ordered by id
   */
  public static Map<String, PoolDecision> allocate(
      Collection<BudgetPolicy> policies, Map<ServerKey, Integer> unlistedUsage) {
    Set<String> ids = new HashSet<>();
    Map<ServerKey, List<BudgetPolicy>> byServer = new TreeMap<>();
    for (BudgetPolicy policy : policies) {
      if (!ids.add(policy.id()))
        throw new IllegalArgumentException("duplicate policy " + policy.id());
      byServer.computeIfAbsent(policy.server(), s -> new ArrayList<>()).add(policy);
    }
    Map<String, PoolDecision> decisions = new TreeMap<>();
    byServer.forEach(
        (server, onServer) -> {
          onServer.sort(Comparator.comparing(BudgetPolicy::id));
          decisions.putAll(
              ServerShares.decide(
                  server, onServer, unlistedUsage == null ? null : unlistedUsage.get(server)));
        });
    return decisions;
  }

  /**
   * One server's division, for a caller that keeps each server's policies apart and sorted (the
   * reconciler's index): no map of every server, and whether the division is {@link
   * ServerDivision#calm}.
   *
   * @param sortedPolicies every policy on {@code server}, sorted by id, ids unique
   * @param unlistedUsage as in {@link #allocate(Collection, Map)}, null when unknown
   */
  public static ServerDivision divide(
      ServerKey server, List<BudgetPolicy> sortedPolicies, Integer unlistedUsage) {
    return ServerShares.divide(server, sortedPolicies, unlistedUsage);
  }

  /**
   * As {@link #divide(ServerKey, List, Integer)}; with {@code keepHeld}, a policy that has written
   * a limit keeps it (within its min and max) and newcomers share only what is left free, as long
   * as what the running policies hold fits. This is the rule between explicit changes: shares move
   * when a policy's pool, pods or reserve change, never because a new policy appeared.
   */
  public static ServerDivision divide(
      ServerKey server,
      List<BudgetPolicy> sortedPolicies,
      Integer unlistedUsage,
      boolean keepHeld) {
    return ServerShares.divide(server, sortedPolicies, unlistedUsage, keepHeld);
  }

  /**
   * {@code division} with {@code newcomer} added, without dividing the server again, when that is
   * sure to give what dividing again would (see {@code ServerShares.extend}); else null.
   */
  public static ServerDivision extend(ServerDivision division, BudgetPolicy newcomer) {
    return ServerShares.extend(division, newcomer);
  }

  /**
   * The limit of a policy no server's budget counts, because no probe of it logged in (probe mode
   * Off, a failing probe, a host nobody answers for): nothing shows which server it uses, so it
   * takes nothing from anyone's budget, and its pods' connections reach the budgets of the policies
   * that share its server as usage by clients they do not list. Its limit is its own: a fixed
   * connectionLimit as written; an auto pool keeps its last computed limit while that lies within
   * [min, max] (dropping to min would restart every pod for no known reason), else min.
   *
   * @param why why no probe logged in, as a clause ("probe mode is Off")
   */
  public static PoolDecision unbudgeted(
      PoolSizing sizing, List<Consumer> consumers, Integer previousLimit, String why) {
    int pods = Math.max(1, consumers.stream().mapToInt(Consumer::pods).sum());
    String counted =
        "not counted in any server's budget ("
            + why
            + "), so it takes nothing from verified policies and its pods' connections count as"
            + " unlisted usage where they are seen: ";
    if (sizing instanceof PoolSizing.Fixed fixed) {
      return new PoolDecision(
          fixed.connectionLimit(),
          pods,
          null,
          true,
          counted + "fixed connectionLimit " + fixed.connectionLimit());
    }
    PoolSizing.Auto auto = (PoolSizing.Auto) sizing;
    boolean keep =
        previousLimit != null && previousLimit >= auto.min() && previousLimit <= auto.max();
    int limit = keep ? previousLimit : auto.min();
    return new PoolDecision(
        limit,
        pods,
        null,
        true,
        counted + (keep ? "keeping the last computed " + limit : "auto.min " + limit));
  }

  /** All servers with unknown unlisted usage. */
  public static Map<String, PoolDecision> allocate(Collection<BudgetPolicy> policies) {
    return allocate(policies, Map.of());
  }
}
