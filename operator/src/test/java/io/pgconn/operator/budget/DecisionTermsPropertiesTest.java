package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.budget.BudgetAllocatorPropertiesTest.World;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The terms a division records for each decision ({@link DecisionTerms}) are what the reconciler
 * compares to tell which peers a change moved: equal terms must mean wordings that differ at most
 * in numbers (else a peer whose status should change is left asleep), and different terms wordings
 * that differ in more (else peers are woken for nothing). Checked over every pair of decisions of
 * two divisions of a server, before and after a change: a policy gone, a limit written or dropped,
 * a raise rolling, unlisted usage moving.
 */
class DecisionTermsPropertiesTest {

  @Property(tries = 1500)
  void equalTermsExactlyWhenTheWordingsDifferOnlyInNumbers(
      @ForAll("worlds") World world, @ForAll long seed) {
    Random random = new Random(seed);
    List<BudgetPolicy> before = sorted(world.policies());
    List<BudgetPolicy> after = sorted(changed(before, random));
    Map<ServerKey, Integer> unlisted = world.unlisted();
    for (ServerKey server : unlisted.keySet()) {
      Integer usage = unlisted.get(server);
      Integer usageAfter = random.nextInt(4) > 0 ? usage : Integer.valueOf(random.nextInt(20) - 5);
      List<Worded> worded = new ArrayList<>();
      worded.addAll(
          worded(BudgetAllocator.divide(server, on(before, server), usage, random.nextBoolean())));
      worded.addAll(
          worded(
              BudgetAllocator.divide(server, on(after, server), usageAfter, random.nextBoolean())));
      for (Worded a : worded) {
        for (Worded b : worded) {
          boolean sameWords =
              DecisionTerms.withoutNumbers(a.decision().explanation())
                      .equals(DecisionTerms.withoutNumbers(b.decision().explanation()))
                  && DecisionTerms.withoutNumbers(a.decision().remedy())
                      .equals(DecisionTerms.withoutNumbers(b.decision().remedy()));
          Statistics.label("refusals")
              .collect(
                  a.terms() instanceof DecisionTerms.Refused
                      ? b.terms() instanceof DecisionTerms.Refused ? "both" : "one"
                      : b.terms() instanceof DecisionTerms.Refused ? "one" : "neither");
          Statistics.label("pairs")
              .collect(
                  a.terms().equals(b.terms())
                      ? a.decision().explanation().equals(b.decision().explanation())
                          ? "same text"
                          : "same terms, other numbers"
                      : "other terms");
          assertThat(a.terms().equals(b.terms()))
              .as(
                  "terms %s and %s for%n  %s | %s%n  %s | %s",
                  a.terms(),
                  b.terms(),
                  a.decision().explanation(),
                  a.decision().remedy(),
                  b.decision().explanation(),
                  b.decision().remedy())
              .isEqualTo(sameWords);
        }
      }
    }
  }

  @Example
  void aNewcomerMovesItsPeersNumbersButNotTheirTerms() {
    ServerKey server = new ServerKey("db.internal", 5432);
    List<BudgetPolicy> running = new ArrayList<>();
    for (int i = 0; i < 3; i++) running.add(onePod("ns/p" + i, server, 1));
    List<BudgetPolicy> joined = new ArrayList<>(running);
    joined.add(onePod("ns/p3", server, null));
    ServerDivision before = BudgetAllocator.divide(server, running, 0, true);
    ServerDivision after = BudgetAllocator.divide(server, joined, 0, true);
    assertThat(after.decisions().get("ns/p0").explanation())
        .isNotEqualTo(before.decisions().get("ns/p0").explanation());
    assertThat(after.terms().get("ns/p0")).isEqualTo(before.terms().get("ns/p0"));
  }

  @Example
  void aRefusedNewcomerKeepsItsTermsWhileThePoliciesRunningThereGrowInNumber() {
    ServerKey server = new ServerKey("db.internal", 5432);
    List<BudgetPolicy> full = new ArrayList<>();
    for (int i = 0; i < 17; i++) full.add(onePod("ns/p" + i, server, 1));
    List<BudgetPolicy> before = new ArrayList<>(full);
    before.add(onePod("ns/q", server, null));
    List<BudgetPolicy> after = new ArrayList<>(full);
    after.add(onePod("ns/p17", server, 1));
    after.add(onePod("ns/q", server, null));
    ServerDivision refused = BudgetAllocator.divide(server, before, 0, true);
    ServerDivision refusedAgain = BudgetAllocator.divide(server, after, 0, true);
    assertThat(refused.decisions().get("ns/q").admitted()).isFalse();
    assertThat(refusedAgain.decisions().get("ns/q").explanation())
        .isNotEqualTo(refused.decisions().get("ns/q").explanation());
    assertThat(refusedAgain.terms().get("ns/q"))
        .isInstanceOf(DecisionTerms.Refused.class)
        .isEqualTo(refused.terms().get("ns/q"));
  }

  @Example
  void aTargetPromisedIsATermAndOtherNumbersAreNot() {
    assertThat(DecisionTerms.withoutNumbers("1 until peers: target 16, 3 free"))
        .isEqualTo(DecisionTerms.withoutNumbers("2 until peers: target 16, 40 free"))
        .isNotEqualTo(DecisionTerms.withoutNumbers("1 until peers: target 17, 3 free"));
    assertThat(DecisionTerms.withoutNumbers("role \"a1\"")).isEqualTo("role \"a\0\"");
  }

  private record Worded(PoolDecision decision, DecisionTerms terms) {}

  private static List<Worded> worded(ServerDivision division) {
    List<Worded> out = new ArrayList<>();
    division
        .terms()
        .forEach((id, terms) -> out.add(new Worded(division.decisions().get(id), terms)));
    return out;
  }

  /** One change a reconcile may bring: a policy gone, a limit written, dropped or rolling. */
  private static List<BudgetPolicy> changed(List<BudgetPolicy> policies, Random random) {
    List<BudgetPolicy> out = new ArrayList<>(policies);
    if (out.isEmpty()) return out;
    int p = random.nextInt(out.size());
    BudgetPolicy policy = out.get(p);
    switch (random.nextInt(4)) {
      case 0 -> out.remove(p);
      case 1 -> out.set(p, policy.withPreviousLimit(1 + random.nextInt(30)));
      case 2 -> out.set(p, policy.withPreviousLimit(null));
      default -> out.set(p, policy.withRunningLimit(1 + random.nextInt(30)));
    }
    return out;
  }

  private static List<BudgetPolicy> on(List<BudgetPolicy> policies, ServerKey server) {
    return policies.stream().filter(p -> p.server().equals(server)).toList();
  }

  private static List<BudgetPolicy> sorted(List<BudgetPolicy> policies) {
    return policies.stream().sorted(Comparator.comparing(BudgetPolicy::id)).toList();
  }

  private static BudgetPolicy onePod(String id, ServerKey server, Integer previous) {
    return new BudgetPolicy(
        id,
        server,
        "app",
        "shop",
        0,
        new PoolSizing.Auto(1, 1, 1),
        List.of(),
        new ServerLimits(20, 3, -1, -1),
        BudgetPolicy.Written.rolledOut(previous),
        "probe");
  }

  @Provide
  Arbitrary<World> worlds() {
    return new BudgetAllocatorPropertiesTest().worlds();
  }
}
