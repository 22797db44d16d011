package io.pgconn.operator.budget;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One server's limits, combined from what every policy on it probed. Probes run at different times
 * and as different roles, so they may disagree; the combination takes the tightest value of each
 * (smallest max_connections, largest reserved count, smallest role and database limit), which is
 * also independent of the order of the probes.
 *
 * @param roleLimits rolconnlimit by role, only roles that have a limit (-1 is "none", left out)
 * @param databaseLimits datconnlimit by database, only databases that have a limit
 */
record ServerView(
    int maxConnections,
    int reservedConnections,
    Map<String, Integer> roleLimits,
    Map<String, Integer> databaseLimits) {

  /** Null when no policy on the server could probe it. */
  static ServerView combine(List<BudgetPolicy> policies) {
    Tightest tightest = new Tightest();
    for (BudgetPolicy policy : policies) tightest.add(policy);
    return tightest.view();
  }

  /** This view combined with what {@code policy} probed, by the same rule. */
  ServerView with(BudgetPolicy policy) {
    Tightest tightest = new Tightest();
    tightest.max = maxConnections;
    tightest.reserved = reservedConnections;
    tightest.roles.putAll(roleLimits);
    tightest.databases.putAll(databaseLimits);
    tightest.add(policy);
    return tightest.view();
  }

  /** The tightest value of each limit among the probes added so far. */
  private static final class Tightest {
    Integer max;
    int reserved;
    final Map<String, Integer> roles = new TreeMap<>();
    final Map<String, Integer> databases = new TreeMap<>();

    void add(BudgetPolicy policy) {
      ServerLimits limits = policy.limits();
      if (limits == null) return;
      max = max == null ? limits.maxConnections() : Math.min(max, limits.maxConnections());
      reserved = Math.max(reserved, limits.reservedConnections());
      if (limits.roleConnectionLimit() >= 0) {
        roles.merge(policy.user(), limits.roleConnectionLimit(), Math::min);
      }
      if (limits.databaseConnectionLimit() >= 0) {
        databases.merge(policy.database(), limits.databaseConnectionLimit(), Math::min);
      }
    }

    ServerView view() {
      return max == null
          ? null
          : new ServerView(max, reserved, Map.copyOf(roles), Map.copyOf(databases));
    }
  }
}
