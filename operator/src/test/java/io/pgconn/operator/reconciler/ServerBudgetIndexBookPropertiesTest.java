package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The index keeps each server's allotments one policy at a time; whatever happens to its policies
 * (decided, held after a start, their pods counted, renamed, moved to another server, deleted), the
 * book says what reading every policy whole says, and the reserve counted per size is the largest
 * any of them asks for.
 */
class ServerBudgetIndexBookPropertiesTest {

  private static final List<ServerKey> SERVERS =
      List.of(ServerKey.reported("system 1 port 5432"), ServerKey.reported("system 2 port 5432"));
  private static final List<String> NAMES = List.of("app-a", "app-b", "café");
  private static final List<String> USERS = List.of("shop", "audit");
  private static final ServerLimits LIMITS = new ServerLimits(60, 3, -1, -1);

  /**
   * One thing that happens to policy {@code policy}; the other values mean what {@code kind} needs.
   */
  record Step(int kind, int policy, int server, int name, int user, int pods, boolean rolled) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(
            Combinators.combine(
                    Arbitraries.integers().between(0, 3),
                    Arbitraries.integers().between(0, 4),
                    Arbitraries.integers().between(0, SERVERS.size() - 1),
                    Arbitraries.integers().between(0, NAMES.size() - 1))
                .as(List::of),
            Arbitraries.integers().between(0, USERS.size() - 1),
            Arbitraries.integers().between(0, 4),
            Arbitraries.of(true, false))
        .as(
            (a, user, pods, rolled) ->
                new Step(a.get(0), a.get(1), a.get(2), a.get(3), user, pods, rolled))
        .list()
        .ofMaxSize(40);
  }

  @Property(tries = 500)
  void theBookSaysWhatReadingEveryPolicySays(@ForAll("steps") List<Step> steps) {
    ServerBudgetIndex index = new ServerBudgetIndex();
    Map<String, Integer> written = new HashMap<>();
    List<String> trace = new ArrayList<>();
    for (Step step : steps) {
      String id = "ns/p" + step.policy();
      BudgetPolicy policy =
          new BudgetPolicy(
              id,
              SERVERS.get(step.server()),
              USERS.get(step.user()),
              "shop",
              step.pods() % 3,
              new PoolSizing.Auto(1, 20, 1),
              List.of(new Consumer("Deployment", "d" + step.policy(), 1 + step.pods() % 3, 0)),
              LIMITS,
              BudgetPolicy.Written.rolledOut(written.get(id)),
              "probe");
      String name = NAMES.get(step.name());
      switch (step.kind()) {
        case 0 -> {
          ServerBudgetIndex.Allocation allocation =
              index.put(policy, step.rolled(), false, name, null);
          if (allocation.decision().admitted()) {
            written.put(id, allocation.decision().connectionLimit());
          }
        }
        case 1 -> index.hold(policy, name, null, false);
        case 2 -> index.present(id, step.pods());
        default -> {
          index.remove(id);
          written.remove(id);
        }
      }
      trace.add(step.toString());
      for (ServerKey server : SERVERS) {
        assertThat(index.allotments(server))
            .as("%s after %s", server, trace)
            .containsExactlyInAnyOrderElementsOf(index.allotmentsReadWhole(server));
        assertThat(index.reserve(server))
            .as("reserve of %s after %s", server, trace)
            .isEqualTo(BudgetPolicy.reserveOf(index.policiesOn(server)));
      }
    }
  }
}
