package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.BudgetPolicy;
import io.pgconn.operator.budget.Consumer;
import io.pgconn.operator.budget.PoolSizing;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * The index extends a server's division by a newcomer instead of dividing again when it may: every
 * answer it gives (whether a newcomer fits at its size, each decision with its explanation, the
 * peers it wakes, the peers a removal frees) is the answer of an index that divides again at every
 * change, whatever arrives, decides, wakes and leaves, and in which order.
 */
class ServerBudgetIndexExtensionPropertiesTest {

  static final ServerKey SERVER = ServerKey.reported("extending");

  record PolicyGen(PoolSizing sizing, int pods, int reserve) {}

  /**
   * kind: 0 arrives (and, by coin, is decided at once), 1 a held one is decided, 2 a woken one
   * reconciles, 3 one leaves.
   */
  record Step(int kind, int policy, boolean coin) {}

  @Property(tries = 400)
  @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
  void anExtendingIndexAnswersAsOneThatDividesAgain(
      @ForAll("servers") int maxConnections,
      @ForAll("policies") List<PolicyGen> gens,
      @ForAll("steps") List<Step> steps) {
    ServerLimits limits = new ServerLimits(maxConnections, 3, -1, -1);
    ServerBudgetIndex extending = new ServerBudgetIndex();
    ServerBudgetIndex dividing = ServerBudgetIndex.dividingAtEveryChange();
    Map<String, Integer> written = new HashMap<>();
    LinkedHashSet<String> held = new LinkedHashSet<>();
    LinkedHashSet<String> woken = new LinkedHashSet<>();
    for (Step step : steps) {
      String id = id(step.policy() % gens.size());
      PolicyGen gen = gens.get(step.policy() % gens.size());
      switch (step.kind()) {
        case 0 -> {
          if (extending.serverOf(id) != null) continue;
          BudgetPolicy arriving = policy(id, gen, limits, null);
          extending.hold(arriving, id, null, false);
          dividing.hold(arriving, id, null, false);
          boolean fits = extending.fitsAtItsSize(arriving);
          assertThat(fits)
              .as("%s fits at its size", id)
              .isEqualTo(dividing.fitsAtItsSize(arriving));
          if (fits || step.coin()) {
            decide(extending, dividing, id, gen, limits, written, woken);
          } else {
            held.add(id);
          }
        }
        case 1, 2 -> {
          LinkedHashSet<String> queue = step.kind() == 1 ? held : woken;
          if (queue.isEmpty()) continue;
          String next = queue.iterator().next();
          queue.remove(next);
          if (extending.serverOf(next) == null) continue;
          decide(extending, dividing, next, gens.get(index(next)), limits, written, woken);
        }
        default -> {
          assertThat(extending.remove(id))
              .as("freed by %s leaving", id)
              .isEqualTo(dividing.remove(id));
          written.remove(id);
          held.remove(id);
          woken.remove(id);
        }
      }
    }
    Statistics.label("extended").collect(extending.extensions() > 0);
    // Not vacuous: in most runs the index extends at least one division.
    Statistics.label("extended").coverage(check -> check.check(true).percentage(p -> p > 30));
  }

  private static void decide(
      ServerBudgetIndex extending,
      ServerBudgetIndex dividing,
      String id,
      PolicyGen gen,
      ServerLimits limits,
      Map<String, Integer> written,
      LinkedHashSet<String> woken) {
    BudgetPolicy policy = policy(id, gen, limits, written.get(id));
    ServerBudgetIndex.Allocation got = extending.put(policy, true, true, id, null);
    ServerBudgetIndex.Allocation expected = dividing.put(policy, true, true, id, null);
    assertThat(got.decision()).as("decision of %s", id).isEqualTo(expected.decision());
    assertThat(got.peersToWake()).as("woken by %s", id).isEqualTo(expected.peersToWake());
    if (got.decision().admitted()) written.put(id, got.decision().connectionLimit());
    woken.addAll(got.peersToWake());
  }

  private static String id(int i) {
    return String.format("ns/svc-%02d", i);
  }

  private static int index(String id) {
    return Integer.parseInt(id.substring(id.length() - 2));
  }

  private static BudgetPolicy policy(String id, PolicyGen gen, ServerLimits limits, Integer w) {
    return new BudgetPolicy(
        id,
        SERVER,
        "app",
        "postgres",
        gen.reserve(),
        gen.sizing(),
        List.of(new Consumer("Deployment", "w" + id.substring(3), gen.pods(), 0, false)),
        limits,
        BudgetPolicy.Written.rolledOut(w),
        "[Endpoint[host=10.0.0.1, port=5432]]");
  }

  @Provide
  Arbitrary<Integer> servers() {
    return Arbitraries.integers().between(8, 120);
  }

  @Provide
  Arbitrary<List<PolicyGen>> policies() {
    Arbitrary<PoolSizing> sizing =
        Arbitraries.frequencyOf(
            Tuple.of(2, Arbitraries.integers().between(1, 3).map(PoolSizing.Fixed::new)),
            Tuple.of(
                8,
                Arbitraries.integers()
                    .between(1, 3)
                    .map(size -> (PoolSizing) new PoolSizing.Auto(size, size, 1))),
            Tuple.of(
                1,
                Arbitraries.integers()
                    .between(1, 2)
                    .map(min -> (PoolSizing) new PoolSizing.Auto(min, min + 4, 2))));
    return Combinators.combine(sizing, Arbitraries.of(1, 1, 1, 2, 3), Arbitraries.of(0, 0, 0, 0, 1))
        .as(PolicyGen::new)
        .list()
        .ofMinSize(3)
        .ofMaxSize(30);
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(
            Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(2, 1), Tuple.of(3, 2), Tuple.of(1, 3)),
            Arbitraries.integers().between(0, 29),
            Arbitraries.of(true, false))
        .as(Step::new)
        .list()
        .ofMinSize(10)
        .ofMaxSize(80);
  }
}
