package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetAllocatorTest {

  private static final ServerKey RAILWAY = new ServerKey("Postgres.Railway.Internal.", 5432);
  private static final ServerLimits STOCK = new ServerLimits(100, 3, -1, -1);

  private static BudgetPolicy auto(
      String id,
      int reserve,
      int min,
      int max,
      int weight,
      ServerLimits limits,
      Consumer... consumers) {
    return new BudgetPolicy(
        id,
        RAILWAY,
        "app",
        "shop",
        reserve,
        new PoolSizing.Auto(min, max, weight),
        List.of(consumers),
        limits,
        BudgetPolicy.Written.NONE,
        null);
  }

  private static Consumer deployment(String name, int replicas) {
    return ConsumerPods.of("Deployment", name, replicas, null, null);
  }

  @Test
  void apiDraftExample() {
    BudgetPolicy policy = auto("shop/backend", 10, 1, 50, 1, STOCK, deployment("backend", 8));

    PoolDecision decision = BudgetAllocator.allocate(List.of(policy)).get("shop/backend");

    assertThat(decision.connectionLimit()).isEqualTo(8);
    assertThat(decision.consumers()).isEqualTo(10);
    assertThat(decision.budget()).isEqualTo(87);
    assertThat(decision.satisfied()).isTrue();
    assertThat(decision.reason().wire()).isEqualTo("WithinBudget");
    assertThat(decision.explanation())
        .isEqualTo("87 = 100 max - 3 reserved - 10 reserve; 10 pods (8 + 2 surge) -> 8 each");
    assertThat(decision.remedy()).isEmpty();
  }

  @Test
  void singlePolicyFacadeGivesTheSameAnswer() {
    PoolDecision decision =
        PoolBudget.decide(
            new PoolRequest(
                null, 10, 1, 50, List.of(new Consumer("Deployment", "backend", 8, 2)), STOCK));

    assertThat(decision.connectionLimit()).isEqualTo(8);
    assertThat(decision.explanation())
        .isEqualTo("87 = 100 max - 3 reserved - 10 reserve; 10 pods (8 + 2 surge) -> 8 each");
  }

  @Test
  void roleLimitCapsTheBudgetAfterTheReserve() {
    // As in the end-to-end test on PostgreSQL 17: 10 role slots - 5 reserve = 5, one pod.
    PoolDecision decision =
        PoolBudget.decide(
            new PoolRequest(null, 5, 1, 50, List.of(), new ServerLimits(40, 5, 10, -1)));

    assertThat(decision.connectionLimit()).isEqualTo(5);
    assertThat(decision.budget()).isEqualTo(5);
    assertThat(decision.explanation())
        .isEqualTo("5 = role limit 10 - 5 reserve; 1 pod (no workloads listed) -> 5 each");
  }

  @Test
  void hpaMaximumIsBudgetedNotTheCurrentReplicas() {
    Consumer scaledIn = ConsumerPods.of("Deployment", "web", 3, 8, "25%");
    Consumer scaledOut = ConsumerPods.of("Deployment", "web", 7, 8, "25%");

    assertThat(scaledIn).isEqualTo(scaledOut);
    assertThat(scaledIn.pods()).isEqualTo(10);
    PoolDecision decision =
        BudgetAllocator.allocate(List.of(auto("shop/web", 10, 1, 50, 1, STOCK, scaledIn)))
            .get("shop/web");
    assertThat(decision.explanation())
        .isEqualTo(
            "87 = 100 max - 3 reserved - 10 reserve; 10 pods (8 HPA max + 2 surge) -> 8 each");
  }

  @Test
  void manualScaleBeyondTheHpaMaximumCounts() {
    assertThat(ConsumerPods.of("Deployment", "web", 12, 8, "0").pods()).isEqualTo(12);
  }

  @Test
  void surgeRoundsUpLikeTheDeploymentController() {
    assertThat(RolloutSurge.resolve("25%", 3)).isEqualTo(1);
    assertThat(RolloutSurge.resolve("25%", 10)).isEqualTo(3);
    assertThat(RolloutSurge.resolve(null, 4)).isEqualTo(1);
    assertThat(RolloutSurge.resolve("25%", 0)).isZero();
    assertThat(RolloutSurge.resolve("100%", 7)).isEqualTo(7);
    assertThat(RolloutSurge.resolve("2", 10)).isEqualTo(2);
    assertThat(RolloutSurge.resolve("0", 10)).isZero();
  }

  @Test
  void policiesOnOneServerShareItByWeight() {
    // 100 - 3 - 5 reserve (one for the server) = 92; weights 2:1:1 over 10 pods each.
    List<BudgetPolicy> policies =
        List.of(
            auto("a/heavy", 5, 1, 50, 2, STOCK, new Consumer("Deployment", "h", 8, 2)),
            auto("b/light", 5, 1, 50, 1, STOCK, new Consumer("Deployment", "l", 8, 2)),
            auto("c/light", 5, 1, 50, 1, STOCK, new Consumer("Deployment", "l", 8, 2)));

    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies);

    assertThat(decisions.get("a/heavy").connectionLimit()).isEqualTo(5);
    assertThat(decisions.get("b/light").connectionLimit()).isEqualTo(2);
    assertThat(decisions.get("c/light").connectionLimit()).isEqualTo(2);
    assertThat(decisions.get("a/heavy").explanation())
        .isEqualTo(
            "92 = 100 max - 3 reserved"
                + " - 5 reserve (largest of 3 policies); 10 pods (8 + 2 surge), shared with 2 other"
                + " policies, weight 2 of 4 -> 5 each");
    assertThat(decisions.values()).allMatch(PoolDecision::satisfied);
  }

  /**
   * The reserve keeps slots free on the server for admins and migrations: a property of the server,
   * not of each tenant. Twenty one-pod services with the default reserve of 5 on a 40-slot server
   * fit with room to spare; summed, the reserves alone (100) exceeded the server and none fit.
   * (StatefulSets: one-replica Deployments surge to two pods each, which 32 slots do not hold.)
   */
  @Test
  void manySmallConsumersShareOneReserve() {
    ServerLimits small = new ServerLimits(40, 3, -1, -1);
    List<BudgetPolicy> policies = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      policies.add(
          auto("svc/app-" + i, 5, 1, 20, 1, small, new Consumer("StatefulSet", "app-" + i, 1, 0)));
    }

    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies);

    assertThat(decisions.values()).allMatch(PoolDecision::satisfied);
    assertThat(decisions.values()).allMatch(d -> d.connectionLimit() >= 1);
    assertThat(decisions.values().stream().mapToInt(PoolDecision::connectionLimit).sum())
        .isLessThanOrEqualTo(40 - 3 - 5);
    assertThat(decisions.get("svc/app-0").explanation())
        .startsWith("32 = 40 max - 3 reserved - 5 reserve (largest of 20 policies); 1 pod");
  }

  /** Issue 15's goal: 200 one-pod policies on 300 slots are all satisfied and fit together. */
  @Test
  void twoHundredOnePodPoliciesFitOnThreeHundredSlots() {
    ServerLimits server = new ServerLimits(300, 3, -1, -1);
    List<BudgetPolicy> policies = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      policies.add(
          auto("svc/app-" + i, 5, 1, 20, 1, server, new Consumer("StatefulSet", "app", 1, 0)));
    }

    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies);

    assertThat(decisions.values()).allMatch(PoolDecision::satisfied);
    assertThat(decisions.values()).allMatch(d -> d.connectionLimit() >= 1);
    assertThat(decisions.values().stream().mapToInt(PoolDecision::connectionLimit).sum())
        .isLessThanOrEqualTo(300 - 3 - 5);
  }

  @Test
  void theLargestReserveOnTheServerIsKept() {
    List<BudgetPolicy> policies =
        List.of(
            auto("a/one", 10, 1, 50, 1, STOCK, new Consumer("Deployment", "a", 8, 2)),
            auto("b/two", 2, 1, 50, 1, STOCK, new Consumer("Deployment", "b", 8, 2)));

    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies);

    assertThat(decisions.get("b/two").budget()).isEqualTo(100 - 3 - 10);
    assertThat(decisions.get("b/two").explanation())
        .startsWith("87 = 100 max - 3 reserved - 10 reserve (largest of 2 policies);");
  }

  @Test
  void largeStepsDoNotStarveTheLowerWeight() {
    // 50 - 3 - 2 = 45 over 8 pods each, weights 2:1. Serving the lowest level first gives
    // 24:16; serving the smallest total-after-step first would give 32:8.
    List<BudgetPolicy> policies =
        List.of(
            auto(
                "a/api",
                2,
                1,
                20,
                2,
                new ServerLimits(50, 3, -1, -1),
                new Consumer("Deployment", "a", 6, 2)),
            auto(
                "b/worker",
                2,
                1,
                20,
                1,
                new ServerLimits(50, 3, -1, -1),
                new Consumer("Deployment", "w", 6, 2)));

    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies);

    assertThat(decisions.get("a/api").connectionLimit()).isEqualTo(3);
    assertThat(decisions.get("b/worker").connectionLimit()).isEqualTo(2);
  }

  @Test
  void leftoverConnectionsGoToPoliciesWhoseSmallerPodsStillFit() {
    // 92 budget: floor(46 / 10) = 4 and floor(46 / 3) = 15 would waste 7 connections.
    List<BudgetPolicy> policies =
        List.of(
            auto("a/big", 5, 1, 50, 1, STOCK, new Consumer("Deployment", "b", 10, 0)),
            auto("b/small", 5, 1, 50, 1, STOCK, new Consumer("Deployment", "s", 3, 0)));
    // one reserve of 5 for the server: 100 - 3 - 5 = 92
    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies);

    assertThat(decisions.get("a/big").connectionLimit()).isEqualTo(5);
    assertThat(decisions.get("b/small").connectionLimit()).isEqualTo(14);
    assertThat(10 * 5 + 3 * 14).isLessThanOrEqualTo(92);
  }

  @Test
  void fixedPoolsAreServedFirstAndMaxLeavesTheRestToOthers() {
    List<BudgetPolicy> policies =
        List.of(
            new BudgetPolicy(
                "a/fixed",
                RAILWAY,
                "app",
                "shop",
                0,
                new PoolSizing.Fixed(10),
                List.of(new Consumer("Deployment", "f", 3, 1)),
                STOCK,
                BudgetPolicy.Written.NONE,
                null),
            auto("b/capped", 0, 1, 5, 1, STOCK, new Consumer("Deployment", "c", 4, 0)),
            auto("c/auto", 0, 1, 100, 1, STOCK, new Consumer("Deployment", "x", 4, 0)));

    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies);

    // 97 - 40 fixed = 57; b is capped at 5 (20), c takes the rest: floor(37 / 4) = 9.
    assertThat(decisions.get("a/fixed").connectionLimit()).isEqualTo(10);
    assertThat(decisions.get("b/capped").connectionLimit()).isEqualTo(5);
    assertThat(decisions.get("b/capped").explanation()).endsWith("-> 5 each (capped at max 5)");
    assertThat(decisions.get("c/auto").connectionLimit()).isEqualTo(9);
    assertThat(decisions.get("c/auto").explanation()).contains("(40 in fixed pools)");
  }

  @Test
  void roleAndDatabaseLimitsCapOnlyThePoliciesThatShareThem() {
    ServerLimits limitedRole = new ServerLimits(100, 3, 12, -1);
    List<BudgetPolicy> policies =
        List.of(
            new BudgetPolicy(
                "a/limited",
                RAILWAY,
                "reporting",
                "shop",
                2,
                new PoolSizing.Auto(1, 50, 1),
                List.of(new Consumer("Deployment", "r", 5, 0)),
                limitedRole,
                BudgetPolicy.Written.NONE,
                null),
            new BudgetPolicy(
                "b/free",
                RAILWAY,
                "app",
                "shop",
                2,
                new PoolSizing.Auto(1, 50, 1),
                List.of(new Consumer("Deployment", "f", 5, 0)),
                STOCK,
                BudgetPolicy.Written.NONE,
                null));

    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(policies);

    // role "reporting": 12 - 2 = 10 -> 2 each; the server's 95 less those 10 go to b: 17 each.
    assertThat(decisions.get("a/limited").connectionLimit()).isEqualTo(2);
    assertThat(decisions.get("a/limited").explanation())
        .startsWith("10 = role \"reporting\" limit 12 - 2 reserve; 5 pods -> 2 each");
    assertThat(decisions.get("b/free").connectionLimit()).isEqualTo(17);
  }

  @Test
  void serversDoNotShare() {
    ServerKey other = new ServerKey("replica.internal", 5432);
    BudgetPolicy here = auto("a/here", 10, 1, 50, 1, STOCK, deployment("x", 8));
    BudgetPolicy there =
        new BudgetPolicy(
            "b/there",
            other,
            "app",
            "shop",
            10,
            new PoolSizing.Auto(1, 50, 1),
            List.of(deployment("y", 8)),
            STOCK,
            BudgetPolicy.Written.NONE,
            null);

    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(List.of(here, there));

    assertThat(decisions.get("a/here").connectionLimit()).isEqualTo(8);
    assertThat(decisions.get("b/there").connectionLimit()).isEqualTo(8);
  }

  @Test
  void hostNamesCompareLikeDns() {
    assertThat(new ServerKey("Postgres.Railway.Internal.", 5432))
        .isEqualTo(new ServerKey("postgres.railway.internal", 5432));
  }

  @Test
  void unlistedUsageShrinksTheServerBudget() {
    BudgetPolicy policy = auto("shop/backend", 10, 1, 50, 1, STOCK, deployment("backend", 8));

    PoolDecision decision =
        BudgetAllocator.allocate(List.of(policy), Map.of(RAILWAY, 7)).get("shop/backend");

    assertThat(decision.connectionLimit()).isEqualTo(8);
    assertThat(decision.explanation())
        .startsWith("80 = 100 max - 3 reserved - 10 reserve - 7 used by unlisted clients; 10 pods");
    assertThat(
            BudgetAllocator.allocate(List.of(policy), Map.of(RAILWAY, 8))
                .get("shop/backend")
                .connectionLimit())
        .isEqualTo(7);
  }

  @Test
  void smallRaisesKeepThePreviousLimit() {
    assertThat(RaiseStep.from(8)).isEqualTo(2);
    assertThat(RaiseStep.from(20)).isEqualTo(4);
    assertThat(RaiseStep.from(21)).isEqualTo(5);

    BudgetPolicy policy = auto("shop/backend", 10, 1, 50, 1, STOCK, deployment("backend", 8));
    // Target 8 (87 / 10).
    assertThat(limitWithPrevious(policy, 7)).isEqualTo(7); // +1 < 2: keep
    assertThat(limitWithPrevious(policy, 6)).isEqualTo(8); // +2 >= max(2, 20% of 6)
    assertThat(limitWithPrevious(policy, 10)).isEqualTo(8); // lower at once: 10 no longer fits
    assertThat(
            BudgetAllocator.allocate(List.of(policy.withPreviousLimit(7)))
                .get("shop/backend")
                .explanation())
        .endsWith("-> 7 each (kept 7: target 8 is less than a raise of 2)");

    BudgetPolicy bigger =
        auto("shop/big", 0, 1, 100, 1, STOCK, new Consumer("Deployment", "b", 4, 0));
    // Target floor(97 / 4) = 24.
    assertThat(limitWithPrevious(bigger, 21)).isEqualTo(21); // +3 < 20% of 21 (5)
    assertThat(limitWithPrevious(bigger, 20)).isEqualTo(24); // +4 = 20% of 20
  }

  private static int limitWithPrevious(BudgetPolicy policy, int previous) {
    return BudgetAllocator.allocate(List.of(policy.withPreviousLimit(previous)))
        .get(policy.id())
        .connectionLimit();
  }

  @Test
  void whenMinDoesNotFitTheLargestFittingLimitIsWrittenAndTheRemedyHasTheNumbers() {
    // 40 - 3 - 2 = 35; 10 pods x min 5 = 50.
    BudgetPolicy policy =
        auto(
            "shop/backend",
            2,
            5,
            50,
            1,
            new ServerLimits(40, 3, -1, -1),
            new Consumer("Deployment", "backend", 8, 2));

    PoolDecision decision = BudgetAllocator.allocate(List.of(policy)).get("shop/backend");

    assertThat(decision.satisfied()).isFalse();
    assertThat(decision.reason().wire()).isEqualTo("InsufficientConnections");
    assertThat(decision.connectionLimit()).isEqualTo(3);
    assertThat(decision.explanation())
        .isEqualTo(
            "35 = 40 max - 3 reserved - 2 reserve; 10 pods (8 + 2 surge) -> 3 each (min 5 does not fit)");
    assertThat(decision.remedy())
        .isEqualTo(
            "Not enough connections in server: 50 needed"
                + " (10 pods x min 5) > 35 available, 15 short. Change one of: fewer pods (7 fit at min 5),"
                + " a lower min, a smaller reserve, a pooler in front of the server (spec.pool.pgbouncer),"
                + " a larger server (max_connections >= 55)");
    assertThat(decision.message()).startsWith(decision.explanation() + ". Not enough");
  }

  @Test
  void morePodsThanConnectionsStillWritesOne() {
    BudgetPolicy policy =
        auto(
            "shop/huge",
            0,
            1,
            50,
            1,
            new ServerLimits(20, 3, -1, -1),
            new Consumer("Deployment", "huge", 30, 0));

    PoolDecision decision = BudgetAllocator.allocate(List.of(policy)).get("shop/huge");

    assertThat(decision.connectionLimit()).isEqualTo(1);
    assertThat(decision.satisfied()).isFalse();
    assertThat(decision.remedy()).contains("30 needed", "13 short", "fewer pods (17 fit at min 1)");
  }

  @Test
  void fixedLimitThatDoesNotFitIsKeptButReported() {
    BudgetPolicy policy =
        new BudgetPolicy(
            "shop/fixed",
            RAILWAY,
            "app",
            "shop",
            5,
            new PoolSizing.Fixed(20),
            List.of(new Consumer("Deployment", "f", 4, 1)),
            STOCK,
            BudgetPolicy.Written.NONE,
            null);

    PoolDecision decision = BudgetAllocator.allocate(List.of(policy)).get("shop/fixed");

    assertThat(decision.connectionLimit()).isEqualTo(20);
    assertThat(decision.satisfied()).isFalse();
    assertThat(decision.explanation())
        .isEqualTo(
            "92 = 100 max - 3 reserved - 5 reserve; 5 pods (4 + 1 surge) -> fixed 20 each (100, exceeds the budget)");
    assertThat(decision.remedy())
        .contains(
            "100 needed (5 pods x fixed 20) > 92 available, 8 short",
            "fewer pods (4 fit at fixed 20)",
            "max_connections >= 108");
  }

  @Test
  void unknownServerUsesMinOrKeepsTheLastComputedLimit() {
    BudgetPolicy policy = auto("shop/backend", 10, 2, 50, 1, null, deployment("backend", 8));

    PoolDecision fresh = BudgetAllocator.allocate(List.of(policy)).get("shop/backend");
    PoolDecision known =
        BudgetAllocator.allocate(List.of(policy.withPreviousLimit(8))).get("shop/backend");

    assertThat(fresh.connectionLimit()).isEqualTo(2);
    assertThat(fresh.budget()).isNull();
    assertThat(known.connectionLimit()).isEqualTo(8);
    assertThat(known.explanation()).contains("keeping the last computed 8");
  }

  @Test
  void aPolicyNoProbeVerifiedGetsItsOwnLimitAndSaysItIsNotBudgeted() {
    PoolDecision fixed =
        BudgetAllocator.unbudgeted(
            new PoolSizing.Fixed(1000),
            List.of(deployment("backend", 2)),
            null,
            "spec.probe.mode is Off");
    assertThat(fixed.connectionLimit()).isEqualTo(1000);
    assertThat(fixed.budgeted()).isFalse();
    assertThat(fixed.reason().wire()).isEqualTo("NotBudgeted");
    assertThat(fixed.message())
        .startsWith("not counted in any server's budget (spec.probe.mode is Off)")
        .endsWith("fixed connectionLimit 1000");

    PoolSizing.Auto auto = new PoolSizing.Auto(2, 50, 1);
    assertThat(BudgetAllocator.unbudgeted(auto, List.of(), 8, "x").connectionLimit()).isEqualTo(8);
    assertThat(BudgetAllocator.unbudgeted(auto, List.of(), 80, "x").connectionLimit()).isEqualTo(2);
    assertThat(BudgetAllocator.unbudgeted(auto, List.of(), null, "x").connectionLimit())
        .isEqualTo(2);
  }

  @Test
  void probesThatDisagreeAreCombinedConservatively() {
    BudgetPolicy stale =
        auto("a/stale", 0, 1, 50, 1, new ServerLimits(200, 3, -1, -1), deployment("s", 4));
    BudgetPolicy fresh =
        auto("b/fresh", 0, 1, 50, 1, new ServerLimits(100, 5, -1, -1), deployment("f", 4));

    Map<String, PoolDecision> decisions = BudgetAllocator.allocate(List.of(stale, fresh));

    assertThat(decisions.get("a/stale").budget()).isEqualTo(95);
  }
}
