package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * A calm division ({@link ServerDivision#calm}) is what lets the reconciler's index skip a second
 * division after a policy writes its decision: whatever the server, the policies and what they
 * wrote before, if the division is calm then any one policy writing exactly its decision gives the
 * same decisions, explanations included, for every policy on the server; by weight above the mins
 * or keeping what running policies hold.
 */
class ServerDivisionCalmPropertiesTest {

  static final ServerKey SERVER = ServerKey.reported("calm");
  static final String[] USERS = {"app", "report"};
  static final String[] DATABASES = {"shop", "audit"};

  record Server(int maxConnections, int reserved, int roleLimit, int databaseLimit) {}

  record Gen(
      int user,
      int database,
      int reserve,
      PoolSizing sizing,
      int pods,
      Integer written,
      int runningAbove,
      int probe) {}

  @Property(tries = 3000)
  @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
  void aPolicyWritingItsDecisionInACalmDivisionMovesNobody(
      @ForAll("servers") Server server,
      @ForAll("policies") List<Gen> gens,
      @ForAll boolean podsRollAtOnce,
      @ForAll boolean keepHeld) {
    List<BudgetPolicy> policies = policies(server, gens);
    ServerDivision division = BudgetAllocator.divide(SERVER, policies, null, keepHeld);
    Statistics.label("calm").collect(division.calm());
    boolean newcomerAtItsMin =
        policies.stream()
            .anyMatch(
                p ->
                    p.previousLimit() == null
                        && p.sizing() instanceof PoolSizing.Auto auto
                        && division.decisions().get(p.id()).connectionLimit() == auto.min());
    Statistics.label("calm keeping held limits, with a newcomer at its min")
        .collect(keepHeld && division.calm() && newcomerAtItsMin);
    // Not vacuous: a good part of the generated divisions are calm, and some calm ones keep held
    // limits while a newcomer, not written yet, is at its min.
    Statistics.label("calm").coverage(check -> check.check(true).percentage(p -> p > 5));
    Statistics.label("calm keeping held limits, with a newcomer at its min")
        .coverage(check -> check.check(true).percentage(p -> p > 1));
    if (!division.calm()) return;
    for (int i = 0; i < policies.size(); i++) {
      BudgetPolicy writer = policies.get(i);
      PoolDecision decision = division.decisions().get(writer.id());
      int limit = decision.connectionLimit();
      int running =
          podsRollAtOnce || writer.runningLimit() == null
              ? limit
              : Math.max(writer.runningLimit(), limit);
      List<BudgetPolicy> after = new ArrayList<>(policies);
      after.set(i, writer.withWritten(decision, running));
      assertThat(BudgetAllocator.divide(SERVER, after, null, keepHeld).decisions())
          .as("after %s wrote %s", writer.id(), limit)
          .isEqualTo(division.decisions());
    }
  }

  @Example
  void newcomersThatAllFitAreCalmAndARefusalIsNot() {
    Server roomy = new Server(40, 3, -1, -1);
    List<Gen> newcomers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      newcomers.add(new Gen(0, 0, 0, new PoolSizing.Auto(1, 20, 1), 1, null, 0, 0));
    }
    assertThat(BudgetAllocator.divide(SERVER, policies(roomy, newcomers), null).calm()).isTrue();

    List<Gen> tooMany = new ArrayList<>(newcomers);
    tooMany.add(new Gen(0, 0, 0, new PoolSizing.Fixed(35), 1, 35, 0, 0));
    assertThat(BudgetAllocator.divide(SERVER, policies(roomy, tooMany), null).calm()).isFalse();
  }

  private static List<BudgetPolicy> policies(Server server, List<Gen> gens) {
    ServerLimits limits =
        new ServerLimits(
            server.maxConnections(), server.reserved(), server.roleLimit(), server.databaseLimit());
    List<BudgetPolicy> out = new ArrayList<>();
    for (int i = 0; i < gens.size(); i++) {
      Gen g = gens.get(i);
      out.add(
          new BudgetPolicy(
              String.format("ns/p%02d", i),
              SERVER,
              USERS[g.user()],
              DATABASES[g.database()],
              g.reserve(),
              g.sizing(),
              List.of(new Consumer("Deployment", "w" + i, g.pods(), 0, false)),
              // Only the first user's role and the first database carry a limit.
              new ServerLimits(
                  limits.maxConnections(),
                  limits.reservedConnections(),
                  g.user() == 0 ? limits.roleConnectionLimit() : -1,
                  g.database() == 0 ? limits.databaseConnectionLimit() : -1),
              g.written() == null
                  ? BudgetPolicy.Written.NONE
                  : new BudgetPolicy.Written(g.written(), g.written() + g.runningAbove(), false),
              g.probe() == 0 ? null : "probe-" + g.probe()));
    }
    out.sort(Comparator.comparing(BudgetPolicy::id));
    return out;
  }

  @Provide
  Arbitrary<Server> servers() {
    return Combinators.combine(
            Arbitraries.integers().between(5, 200),
            Arbitraries.integers().between(0, 5),
            Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 80)),
            Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 80)))
        .as(Server::new);
  }

  @Provide
  Arbitrary<List<Gen>> policies() {
    Arbitrary<PoolSizing> sizing =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(
                1, Arbitraries.integers().between(1, 8).map(PoolSizing.Fixed::new)),
            net.jqwik.api.Tuple.of(
                4,
                Combinators.combine(
                        Arbitraries.integers().between(1, 4),
                        Arbitraries.integers().between(0, 25),
                        Arbitraries.integers().between(1, 4))
                    .as((min, extra, weight) -> new PoolSizing.Auto(min, min + extra, weight))));
    Arbitrary<Gen> gen =
        Combinators.combine(
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 4),
                sizing,
                Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 20).injectNull(0.4),
                Arbitraries.of(0, 0, 0, 1, 5),
                Arbitraries.integers().between(0, 2))
            .as(Gen::new);
    return gen.list().ofMinSize(1).ofMaxSize(10);
  }
}
