package io.pgconn.operator.reconciler;

import io.pgconn.operator.budget.BudgetAllocator;
import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.PoolDecision;
import io.pgconn.operator.budget.ServerKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every policy's latest sizing inputs, indexed by the server its URL reaches, so that one
 * policy's decision is computed together with every other policy on that server. When a policy's
 * inputs change, the others on its server are named so they can be recomputed too: the allocation
 * is a function of the whole set, so the result does not depend on which policy reconciled first.
 *
 * <p>In memory only: after a restart every policy reconciles once and the set is complete again;
 * until then a policy may briefly be sized as if alone on its server, and its peers are woken as
 * they come.
 */
final class ServerBudgets {

  record Allocation(PoolDecision decision, Set<String> peersToWake) {}

  private final Map<String, BudgetPolicy> policies = new HashMap<>();

  synchronized Allocation put(BudgetPolicy policy) {
    BudgetPolicy previous = policies.put(policy.id(), policy);
    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies.values().stream()
        .filter(p -> p.server().equals(policy.server())).toList());
    Set<String> wake = new TreeSet<>();
    if (previous == null || !sameInputs(previous, policy)) {
      wake.addAll(idsOn(policy.server()));
      if (previous != null && !previous.server().equals(policy.server())) {
        wake.addAll(idsOn(previous.server()));
      }
      wake.remove(policy.id());
    }
    return new Allocation(decisions.get(policy.id()), wake);
  }

  /** Forgets a policy; returns the peers whose share may now grow. */
  synchronized Set<String> remove(String id) {
    BudgetPolicy removed = policies.remove(id);
    return removed == null ? Set.of() : idsOn(removed.server());
  }

  private Set<String> idsOn(ServerKey server) {
    Set<String> ids = new TreeSet<>();
    policies.values().stream().filter(p -> p.server().equals(server)).forEach(p -> ids.add(p.id()));
    return ids;
  }

  /** The last written limit only steers hysteresis for this policy; it never moves a peer. */
  private static boolean sameInputs(BudgetPolicy a, BudgetPolicy b) {
    return Objects.equals(a.withPreviousLimit(null), b.withPreviousLimit(null));
  }
}
