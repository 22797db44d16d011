package io.pgconn.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategyBuilder;
import io.pgconn.operator.api.WorkloadKind;
import org.junit.jupiter.api.Test;

/**
 * A DaemonSet with a rolling update's maxSurge runs an old and a new pod side by side on that many
 * nodes while it rolls: both hold a pool, so the budget counts them (it counted none before).
 */
class DaemonSetSurgeTest {

  static final WorkloadKey KEY = new WorkloadKey(WorkloadKind.DaemonSet, "ns", "agent");

  @Test
  void aPercentageSurgeIsCountedAgainstTheScheduledNodesRoundedUp() {
    Workload w = WorkloadInventory.daemonSet(KEY, daemonSet(10, rolling(new IntOrString("25%"))));
    assertThat(w.asConsumer(null).pods()).isEqualTo(13);
    assertThat(w.asConsumer(null).surge()).isEqualTo(3);
  }

  @Test
  void nodesJoiningInsideTheHeadroomChangeNoPodCount() {
    // 9 and 10 nodes are both budgeted as 10 (the ladder's step), 11 as 13: a node joining
    // restarts nothing until the fleet crosses a step.
    IntOrString quarter = new IntOrString("25%");
    int nine =
        WorkloadInventory.daemonSet(KEY, daemonSet(9, rolling(quarter))).asConsumer(null).pods();
    int ten =
        WorkloadInventory.daemonSet(KEY, daemonSet(10, rolling(quarter))).asConsumer(null).pods();
    int eleven =
        WorkloadInventory.daemonSet(KEY, daemonSet(11, rolling(quarter))).asConsumer(null).pods();
    assertThat(nine).isEqualTo(ten).isEqualTo(10 + 3);
    assertThat(eleven).isEqualTo(13 + 4);
  }

  @Test
  void aCountSurgeIsCountedAsIs() {
    Workload w = WorkloadInventory.daemonSet(KEY, daemonSet(4, rolling(new IntOrString(2))));
    assertThat(w.asConsumer(null).pods()).isEqualTo(6);
  }

  @Test
  void noSurgeByDefaultNorWithOnDelete() {
    assertThat(WorkloadInventory.daemonSet(KEY, daemonSet(4, null)).asConsumer(null).pods())
        .isEqualTo(4);
    assertThat(
            WorkloadInventory.daemonSet(KEY, daemonSet(4, rolling(null))).asConsumer(null).pods())
        .isEqualTo(4);
    DaemonSetUpdateStrategy onDelete =
        new DaemonSetUpdateStrategyBuilder().withType("OnDelete").build();
    assertThat(WorkloadInventory.daemonSet(KEY, daemonSet(4, onDelete)).asConsumer(null).pods())
        .isEqualTo(4);
  }

  private static DaemonSetUpdateStrategy rolling(IntOrString maxSurge) {
    return new DaemonSetUpdateStrategyBuilder()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxSurge(maxSurge)
        .withMaxUnavailable(maxSurge == null ? new IntOrString(1) : new IntOrString(0))
        .endRollingUpdate()
        .build();
  }

  private static DaemonSet daemonSet(int nodes, DaemonSetUpdateStrategy strategy) {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName("agent")
        .withNamespace("ns")
        .withUid("uid-1")
        .withGeneration(1L)
        .endMetadata()
        .withNewSpec()
        .withUpdateStrategy(strategy)
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName("agent")
        .withImage("example/agent:1")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withDesiredNumberScheduled(nodes)
        .withObservedGeneration(1L)
        .endStatus()
        .build();
  }
}
