package io.pgconn.operator.budget;

import io.pgconn.operator.budget.ConnectionLedger.Allotment;
import io.pgconn.operator.budget.ConnectionLedger.ConsumerId;
import io.pgconn.operator.budget.ConnectionLedger.Line;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One server's allotments, kept up to date one policy at a time, and the part of the connection
 * ledger one policy shows, read from it. It answers exactly what {@link ConnectionLedger#of}
 * followed by {@link ConnectionLedger#shownFor} answers (a property test holds the two together),
 * without their cost per reconcile: building the whole ledger meant every policy's stored names and
 * a sorted line per policy on the server, each time one of a thousand policies reconciled. Here a
 * policy's stored names are worked out when its allotment changes, and a policy's view costs the
 * consumers that hold connections, plus its own.
 *
 * <p>Not thread-safe: its owner guards it.
 */
public final class AllotmentBook {

  private final Map<String, Allotment> byPolicy = new HashMap<>();

  /** Connections allotted per budgeted consumer (the name as configured), over its policies. */
  private final Map<ConsumerId, Integer> allotted = new HashMap<>();

  /** Policies per budgeted consumer, so that the last one to leave takes its stored forms along. */
  private final Map<ConsumerId, Integer> policiesOf = new HashMap<>();

  /** Each name in the book, its stored forms worked out once, and the policies that use it. */
  private final Map<String, Named> names = new HashMap<>();

  /** Each stored form of a name in the book, and how many of its names a server may store so. */
  private final Map<String, Integer> storedNames = new HashMap<>();

  /**
   * Each stored form of a budgeted consumer, to the budgeted consumers it may stand for; the first
   * in the ledger's order wins, as in {@link ConnectionLedger#of}.
   */
  private final Map<ConsumerId, TreeSet<ConsumerId>> byStoredForm = new HashMap<>();

  private record Named(Set<String> forms, int policies) {}

  /** Records what {@code policy} allots now; nothing is recomputed when it did not change. */
  public void put(String policy, Allotment allotment) {
    Objects.requireNonNull(allotment, "allotment");
    Allotment before = byPolicy.put(policy, allotment);
    if (allotment.equals(before)) return;
    if (before != null) withdraw(before);
    enter(allotment);
  }

  /** Forgets {@code policy}'s allotment. */
  public void remove(String policy) {
    Allotment before = byPolicy.remove(policy);
    if (before != null) withdraw(before);
  }

  /** Every allotment recorded, one per policy. */
  public Collection<Allotment> allotments() {
    return List.copyOf(byPolicy.values());
  }

  /**
   * Whether {@code stored}, an application_name as a server shows it, may be the name of a policy
   * in the book (in any role).
   */
  public boolean lists(String stored) {
    return storedNames.containsKey(stored);
  }

  /**
   * What {@code ConnectionLedger.of(held, allotments(), probeApplicationName).shownFor(own, max)}
   * returns.
   */
  public List<Line> shownFor(
      Map<ConsumerId, Integer> held, String probeApplicationName, ConsumerId own, int max) {
    Map<ConsumerId, Integer> heldByBudgeted = new HashMap<>();
    Map<ConsumerId, Integer> unbudgeted = new HashMap<>();
    held.forEach(
        (id, n) -> {
          TreeSet<ConsumerId> budgeted = byStoredForm.get(id);
          if (budgeted != null) {
            heldByBudgeted.merge(budgeted.first(), n, Integer::sum);
          } else {
            unbudgeted.merge(id, n, Integer::sum);
          }
        });
    // Budgeted consumers that hold nothing are shown only as the policy's own line.
    if (allotted.containsKey(own)) heldByBudgeted.putIfAbsent(own, 0);
    List<Line> lines = new ArrayList<>();
    heldByBudgeted.forEach(
        (id, n) -> lines.add(ConnectionLedger.budgetedLine(id, n, allotted.get(id))));
    unbudgeted.forEach(
        (id, n) -> lines.add(ConnectionLedger.unbudgetedLine(id, n, probeApplicationName)));
    return ConnectionLedger.sorted(lines).shownFor(own, max);
  }

  private void enter(Allotment allotment) {
    Named named =
        names.merge(
            allotment.applicationName(),
            new Named(StoredApplicationName.forms(allotment.applicationName()), 1),
            (known, added) -> new Named(known.forms(), known.policies() + 1));
    if (named.policies() == 1) named.forms().forEach(f -> storedNames.merge(f, 1, Integer::sum));
    ConsumerId id = idOf(allotment);
    allotted.merge(id, allotment.connections(), Integer::sum);
    if (policiesOf.merge(id, 1, Integer::sum) == 1) {
      for (String form : named.forms()) {
        byStoredForm
            .computeIfAbsent(
                new ConsumerId(form, id.role()), f -> new TreeSet<>(ConnectionLedger.ID_ORDER))
            .add(id);
      }
    }
  }

  private void withdraw(Allotment allotment) {
    Named named = names.get(allotment.applicationName());
    if (named.policies() > 1) {
      names.put(allotment.applicationName(), new Named(named.forms(), named.policies() - 1));
    } else {
      names.remove(allotment.applicationName());
      named.forms().forEach(f -> storedNames.merge(f, -1, (n, less) -> n == 1 ? null : n - 1));
    }
    ConsumerId id = idOf(allotment);
    int left = allotted.merge(id, -allotment.connections(), Integer::sum);
    if (policiesOf.merge(id, -1, Integer::sum) > 0) return;
    policiesOf.remove(id);
    if (left != 0) throw new IllegalStateException("allotments out of balance for " + id);
    allotted.remove(id);
    for (String form : named.forms()) {
      ConsumerId stored = new ConsumerId(form, id.role());
      TreeSet<ConsumerId> budgeted = byStoredForm.get(stored);
      budgeted.remove(id);
      if (budgeted.isEmpty()) byStoredForm.remove(stored);
    }
  }

  private static ConsumerId idOf(Allotment allotment) {
    return new ConsumerId(allotment.applicationName(), allotment.role());
  }
}
