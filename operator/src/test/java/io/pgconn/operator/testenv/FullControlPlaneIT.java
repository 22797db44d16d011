package io.pgconn.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.rollout.PodTemplateStamper;
import io.pgconn.operator.rollout.PodTemplateStamps;
import io.pgconn.operator.rollout.WorkloadKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deployments really roll on {@link FullControlPlane}: pods get scheduled onto kwok's fake nodes
 * and turn Ready, and stamping the pod template the way the operator does (server-side apply of one
 * annotation under field manager pgconn-operator) produces a new ReplicaSet, scales the old one to
 * zero and makes its pods disappear.
 */
class FullControlPlaneIT {

  static final String NS = "rollouts";
  static final String APP = "web";
  static final int REPLICAS = 3;
  static final Duration DEADLINE = Duration.ofSeconds(60);

  static FullControlPlane controlPlane;
  static KubernetesClient client;
  static Path binaries;

  @BeforeAll
  static void startControlPlane() {
    binaries =
        LocalControlPlane.binDir()
            .resolve("k8s")
            .resolve(LocalControlPlane.K8S_VERSION + "-linux-amd64");
    controlPlane = FullControlPlane.start();
    client = controlPlane.newClient();
    System.out.printf(
        "FullControlPlane started in %d ms, phases %s%n",
        controlPlane.startupTime().toMillis(), controlPlane.phases());
  }

  @AfterAll
  static void stopControlPlaneWithoutLeaks() {
    if (client != null) client.close();
    if (controlPlane == null) return;
    long t0 = System.nanoTime();
    controlPlane.close();
    System.out.printf("FullControlPlane stopped in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    // Every control-plane process this JVM started (kube-api-test's etcd and kube-apiserver
    // included) is gone, not just signalled.
    await("no control-plane process left")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        ProcessHandle.current()
                            .descendants()
                            .filter(ProcessHandle::isAlive)
                            .map(h -> h.info().command().orElse(""))
                            .filter(c -> c.startsWith(binaries.toString())))
                    .isEmpty());
  }

  @Test
  void nodesAreReadyKwokNodes() {
    List<Node> nodes = client.nodes().withLabel("type", "kwok").list().getItems();
    assertThat(nodes)
        .extracting(n -> n.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(controlPlane.nodeNames());
    assertThat(nodes)
        .allSatisfy(
            n -> {
              assertThat(FullControlPlane.isReady(n))
                  .as("%s Ready", n.getMetadata().getName())
                  .isTrue();
              assertThat(n.getSpec().getTaints()).as("taints").isNullOrEmpty();
              assertThat(n.getStatus().getAllocatable().get("pods").getAmount()).isEqualTo("110");
            });
  }

  @Test
  void deploymentRollsWhenTheOperatorStampsItsPodTemplate() {
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace(NS)
                .endMetadata()
                .withStringData(Map.of("DATABASE_URL", "postgresql://db:5432/app"))
                .build())
        .create();
    client.resource(deployment()).create();

    // 1. The first ReplicaSet's pods are scheduled onto the fake nodes and turn Ready.
    long t0 = System.nanoTime();
    await("3 ready replicas")
        .atMost(DEADLINE)
        .untilAsserted(
            () -> {
              DeploymentStatus s = deploymentNow().getStatus();
              assertThat(s).isNotNull();
              assertThat(s.getReadyReplicas()).isEqualTo(REPLICAS);
            });
    List<Pod> firstPods = pods();
    assertThat(firstPods)
        .hasSize(REPLICAS)
        .allSatisfy(
            p -> {
              assertThat(p.getStatus().getPhase()).isEqualTo("Running");
              assertThat(isReady(p)).as("%s Ready", p.getMetadata().getName()).isTrue();
              assertThat(p.getSpec().getNodeName()).isIn(controlPlane.nodeNames());
              assertThat(
                      p.getSpec()
                          .getContainers()
                          .get(0)
                          .getEnvFrom()
                          .get(0)
                          .getSecretRef()
                          .getName())
                  .isEqualTo("db");
            });
    System.out.printf(
        "Deployment %d/%d ready in %d ms on nodes %s%n",
        REPLICAS,
        REPLICAS,
        (System.nanoTime() - t0) / 1_000_000,
        firstPods.stream().map(p -> p.getSpec().getNodeName()).sorted().toList());
    ReplicaSet oldRs = single(replicaSets());
    Set<String> oldPods = names(firstPods);
    long generationBefore = deploymentNow().getMetadata().getGeneration();

    // 2. Stamp the template the way the operator does and watch the rollout complete.
    long t1 = System.nanoTime();
    new PodTemplateStamper(client)
        .stamp(new WorkloadKey(WorkloadKind.Deployment, NS, APP), APP, "sha256:abc");
    Deployment stamped = deploymentNow();
    assertThat(stamped.getMetadata().getGeneration()).isEqualTo(generationBefore + 1);
    assertThat(stamped.getMetadata().getManagedFields())
        .anySatisfy(
            f -> {
              assertThat(f.getManager())
                  .isEqualTo(io.pgconn.operator.kube.OperatorIdentity.policyFieldManager(APP));
              assertThat(f.getOperation()).isEqualTo("Apply");
            });

    await("a new ReplicaSet with the stamped template")
        .atMost(DEADLINE)
        .untilAsserted(
            () ->
                assertThat(replicaSets())
                    .anySatisfy(
                        rs -> {
                          assertThat(rs.getMetadata().getName())
                              .isNotEqualTo(oldRs.getMetadata().getName());
                          assertThat(rs.getSpec().getTemplate().getMetadata().getAnnotations())
                              .containsEntry(PodTemplateStamps.key(APP), "sha256:abc");
                        }));
    await("rollout complete")
        .atMost(DEADLINE)
        .untilAsserted(
            () -> {
              Deployment d = deploymentNow();
              DeploymentStatus s = d.getStatus();
              assertThat(s.getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
              assertThat(s.getReplicas()).isEqualTo(REPLICAS);
              assertThat(s.getUpdatedReplicas()).isEqualTo(REPLICAS);
              assertThat(s.getReadyReplicas()).isEqualTo(REPLICAS);
              assertThat(s.getAvailableReplicas()).isEqualTo(REPLICAS);
              assertThat(s.getConditions())
                  .anySatisfy(
                      c -> {
                        assertThat(c.getType()).isEqualTo("Progressing");
                        assertThat(c.getReason()).isEqualTo("NewReplicaSetAvailable");
                      });
              ReplicaSet old =
                  client
                      .apps()
                      .replicaSets()
                      .inNamespace(NS)
                      .withName(oldRs.getMetadata().getName())
                      .get();
              assertThat(old.getSpec().getReplicas()).isZero();
              assertThat(old.getStatus().getReplicas()).isZero();
              List<Pod> now = pods();
              assertThat(names(now)).doesNotContainAnyElementsOf(oldPods);
              assertThat(now)
                  .hasSize(REPLICAS)
                  .allSatisfy(
                      p -> {
                        assertThat(p.getMetadata().getAnnotations())
                            .containsEntry(PodTemplateStamps.key(APP), "sha256:abc");
                        assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                        assertThat(isReady(p)).isTrue();
                      });
            });
    System.out.printf(
        "Rollout after the stamp completed in %d ms%n", (System.nanoTime() - t1) / 1_000_000);

    // Old pods are deleted for real, not left Terminating: none of their names resolves.
    assertThat(oldPods)
        .allSatisfy(
            name -> assertThat(client.pods().inNamespace(NS).withName(name).get()).isNull());
    ReplicaSet newRs =
        replicaSets().stream()
            .filter(rs -> !rs.getMetadata().getName().equals(oldRs.getMetadata().getName()))
            .collect(Collectors.collectingAndThen(Collectors.toList(), FullControlPlaneIT::single));
    assertThat(newRs.getStatus().getReadyReplicas()).isEqualTo(REPLICAS);
  }

  @Test
  void deletedPodsDisappearDespiteFinalizersAndGracePeriod() {
    String ns = "deletion";
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    Pod pod =
        client
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("held")
                    .withNamespace(ns)
                    .addToFinalizers("example.com/hold")
                    .endMetadata()
                    .withNewSpec()
                    .withTerminationGracePeriodSeconds(30L)
                    .addNewContainer()
                    .withName("app")
                    .withImage("registry.invalid/none:1")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    await("pod Ready")
        .atMost(DEADLINE)
        .until(() -> isReady(client.pods().inNamespace(ns).withName("held").get()));
    long t0 = System.nanoTime();
    client.resource(pod).delete();
    // kwok's built-in pod-delete stage clears the finalizers and deletes with no grace period,
    // as a kubelet would once the containers stopped (and as no finalizer owner would).
    await("deleted pod gone")
        .atMost(DEADLINE)
        .until(() -> client.pods().inNamespace(ns).withName("held").get() == null);
    System.out.printf(
        "Pod with a finalizer and 30 s grace period gone %d ms after delete%n",
        (System.nanoTime() - t0) / 1_000_000);
  }

  private static Deployment deployment() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(APP)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withReplicas(REPLICAS)
        .withNewSelector()
        .addToMatchLabels("app", APP)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", APP)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        // Never pulled: kwok fakes the kubelet, no container runs.
        .withImage("registry.invalid/pgconn/app:1")
        .addNewEnvFrom()
        .withNewSecretRef()
        .withName("db")
        .endSecretRef()
        .endEnvFrom()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Deployment deploymentNow() {
    return client.apps().deployments().inNamespace(NS).withName(APP).get();
  }

  private static List<ReplicaSet> replicaSets() {
    return client.apps().replicaSets().inNamespace(NS).withLabel("app", APP).list().getItems();
  }

  private static List<Pod> pods() {
    return client.pods().inNamespace(NS).withLabel("app", APP).list().getItems();
  }

  private static Set<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
  }

  private static <T> T single(List<T> items) {
    assertThat(items).hasSize(1);
    return items.get(0);
  }

  private static boolean isReady(Pod p) {
    return p != null
        && p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
