package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A DaemonSet runs one pod per node, and nodes come and go with the cluster autoscaler: counting
 * its pods at exactly desiredNumberScheduled would re-size (and restart) every pool on the server
 * each time a node joins. {@link NodeHeadroom} rounds the node count up to the next step of a fixed
 * ladder instead, so node counts that move between two steps change nothing.
 */
class NodeHeadroomPropertiesTest {

  @Property
  void neverFewerPodsThanNodes(@ForAll @IntRange(min = 0, max = 100_000) int nodes) {
    assertThat(NodeHeadroom.budgeted(nodes)).isGreaterThanOrEqualTo(nodes);
  }

  @Property
  void atMostAQuarterOrOneNodeOver(@ForAll @IntRange(min = 0, max = 100_000) int nodes) {
    int over = NodeHeadroom.budgeted(nodes) - nodes;
    assertThat(over).isLessThanOrEqualTo(Math.max(1, (nodes + 3) / 4));
  }

  @Property
  void moreNodesNeverCountLess(
      @ForAll @IntRange(min = 0, max = 100_000) int nodes,
      @ForAll @IntRange(min = 0, max = 1000) int more) {
    assertThat(NodeHeadroom.budgeted(nodes + more))
        .isGreaterThanOrEqualTo(NodeHeadroom.budgeted(nodes));
  }

  @Property
  void nodesJoiningUpToTheStepChangeNothing(@ForAll @IntRange(min = 0, max = 100_000) int nodes) {
    int budgeted = NodeHeadroom.budgeted(nodes);
    for (int joined = nodes; joined <= budgeted; joined++) {
      assertThat(NodeHeadroom.budgeted(joined)).isEqualTo(budgeted);
    }
  }

  @Property
  void aFleetThatDoublesIsResizedAtMostFourTimes(
      @ForAll @IntRange(min = 1, max = 50_000) int nodes) {
    TreeSet<Integer> counts = new TreeSet<>();
    for (int n = nodes; n <= 2 * nodes; n++) counts.add(NodeHeadroom.budgeted(n));
    assertThat(counts.size() - 1)
        .as("re-sizes on the way from %d to %d", nodes, 2 * nodes)
        .isLessThanOrEqualTo(4);
  }

  @Property
  void aNodeJoiningInsideTheHeadroomChangesNoPoliciesLimit(
      @ForAll @IntRange(min = 0, max = 300) int nodes,
      @ForAll @IntRange(min = 0, max = 3) int surge,
      @ForAll @IntRange(min = 20, max = 2000) int maxConnections) {
    int step = NodeHeadroom.budgeted(nodes);
    ServerLimits limits = new ServerLimits(maxConnections, 3, -1, -1);
    Map<String, PoolDecision> before = allocate(nodes, surge, limits);
    for (int joined = nodes; joined <= step; joined++) {
      assertThat(allocate(joined, surge, limits)).isEqualTo(before);
    }
  }

  @Example
  void theLadder() {
    List<Integer> steps = new java.util.ArrayList<>();
    for (int n = 0; n <= 60; n++) {
      int b = NodeHeadroom.budgeted(n);
      if (steps.isEmpty() || steps.get(steps.size() - 1) != b) steps.add(b);
    }
    assertThat(steps).containsExactly(0, 2, 4, 6, 8, 10, 13, 17, 22, 28, 35, 44, 55, 69);
  }

  private static Map<String, PoolDecision> allocate(int nodes, int surge, ServerLimits limits) {
    ServerKey server = new ServerKey("db.internal", 5432);
    BudgetPolicy agent =
        new BudgetPolicy(
            "ns/agent",
            server,
            "app",
            "shop",
            0,
            new PoolSizing.Auto(1, 50, 1),
            List.of(ConsumerPods.daemonSet("agent", nodes, Integer.toString(surge))),
            limits,
            BudgetPolicy.Written.NONE,
            null);
    BudgetPolicy web =
        new BudgetPolicy(
            "ns/web",
            server,
            "app",
            "shop",
            0,
            new PoolSizing.Auto(1, 50, 1),
            List.of(ConsumerPods.of("Deployment", "web", 4, null, null)),
            limits,
            BudgetPolicy.Written.NONE,
            null);
    return BudgetAllocator.allocate(List.of(agent, web));
  }
}
