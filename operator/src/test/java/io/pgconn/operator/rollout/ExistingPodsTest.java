package io.pgconn.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.pgconn.operator.api.WorkloadKind;
import org.junit.jupiter.api.Test;

/**
 * The pods a workload has now, which the connection ledger multiplies a pool limit by: what its
 * controller reports (a rollout's surge pods included), never fewer than its spec asks for (a
 * controller that has not caught up yet must not make the pods it is about to start look greedy).
 */
class ExistingPodsTest {

  static final WorkloadKey KEY = new WorkloadKey(WorkloadKind.Deployment, "ns", "web");

  @Test
  void aRollingDeploymentHasItsSurgePodsToo() {
    assertThat(WorkloadInventory.deployment(KEY, deployment(3, 4)).existing()).isEqualTo(4);
  }

  @Test
  void aControllerBehindCountsAsTheSpec() {
    assertThat(WorkloadInventory.deployment(KEY, deployment(3, null)).existing()).isEqualTo(3);
    assertThat(WorkloadInventory.deployment(KEY, deployment(3, 1)).existing()).isEqualTo(3);
  }

  @Test
  void scaledToZeroHasNone() {
    assertThat(WorkloadInventory.deployment(KEY, deployment(0, 0)).existing()).isZero();
  }

  private static Deployment deployment(int replicas, Integer statusReplicas) {
    DeploymentBuilder b =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("web")
            .withNamespace("ns")
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewTemplate()
            .endTemplate()
            .endSpec();
    if (statusReplicas != null) b.withNewStatus().withReplicas(statusReplicas).endStatus();
    return b.build();
  }
}
