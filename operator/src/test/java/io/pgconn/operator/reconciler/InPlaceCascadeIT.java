package io.pgconn.operator.reconciler;

import static io.pgconn.operator.reconciler.InPlaceFixture.POLICY;
import static io.pgconn.operator.reconciler.InPlaceFixture.SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.FullControlPlane;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deleting an in place policy the way Kubernetes deletes things wholesale: with foreground
 * propagation (Argo CD's default for pruning), where the garbage collector deletes the policy's
 * dependents, its backup among them, before the policy goes; and by deleting its namespace, where
 * the namespace controller deletes every Secret, the backup among them. Both need the controllers,
 * so this runs on {@link FullControlPlane} (kube-controller-manager). The operator is stopped while
 * the deletion starts, so the controllers act before the operator's cleanup does, every time; the
 * original must still go back, and the namespace must still go away once the operator runs.
 */
@OperatorEnvironment(controlPlane = ControlPlane.FULL, operator = false, postgres = 16, ssl = true)
class InPlaceCascadeIT {

  private final KubernetesClient client;
  private final ClusterFixtures k8s;
  private final InPlaceFixture fx;

  InPlaceCascadeIT(
      TestCluster cluster, LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.client = client;
    this.k8s = k8s;
    this.fx = new InPlaceFixture(cluster.kubeconfigFile(), postgres, client, k8s);
  }

  @BeforeAll
  static void role(LocalPostgres postgres) {
    postgres.createRole(InPlaceFixture.USER, InPlaceFixture.PASSWORD, null);
  }

  @Test
  void foregroundDeletionPutsTheOriginalBack() {
    String ns = "foreground";
    Map<String, String> original = fx.source(ns, fx.original(InPlaceFixture.PASSWORD));
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      k8s.create(fx.policy(ns, spec -> {}));
      fx.awaitAdopted(ns);
      fx.dependent(ns);
    }
    client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(ns)
        .withName(POLICY)
        .withPropagationPolicy(DeletionPropagation.FOREGROUND)
        .delete();
    // The garbage collector has dealt with the dependents: the policy's ConfigMap is gone.
    InPlaceFixture.await().atMost(Duration.ofSeconds(90)).until(() -> fx.dependentGone(ns));
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      fx.awaitGone(ns);
    }
    assertThat(fx.data(ns, SOURCE)).as("the source, every key").isEqualTo(original);
    assertThat(fx.backup(ns)).isEmpty();
  }

  /**
   * The source outlives its namespace's content only while something else holds it (a finalizer of
   * another controller): then the original must be in it. The namespace then goes away as soon as
   * that other holder lets go; the operator holds nothing up once it runs.
   */
  @Test
  void aTerminatingNamespaceNeitherLosesTheOriginalNorWaitsForIt() {
    String ns = "doomed";
    Map<String, String> original = fx.source(ns, fx.original(InPlaceFixture.PASSWORD));
    String hold = "test.pgconn.io/hold";
    client
        .secrets()
        .inNamespace(ns)
        .withName(SOURCE)
        .edit(
            s -> {
              s.getMetadata().setFinalizers(new ArrayList<>(java.util.List.of(hold)));
              return s;
            });
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      k8s.create(fx.policy(ns, spec -> {}));
      fx.awaitAdopted(ns);
    }
    client.namespaces().withName(ns).delete();
    // The namespace controller has deleted the Secrets: the namespace's hash key had nothing
    // holding it.
    InPlaceFixture.await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> fx.secret(ns, HashKeys.NAMESPACE_KEY_NAME).isEmpty());
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      fx.awaitGone(ns);
      assertThat(fx.backup(ns)).isEmpty();
      Secret held = fx.secret(ns, SOURCE).orElseThrow();
      assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
      assertThat(fx.data(ns, SOURCE)).as("the held source, every key").isEqualTo(original);
      client
          .secrets()
          .inNamespace(ns)
          .withName(SOURCE)
          .edit(
              s -> {
                s.getMetadata().setFinalizers(new ArrayList<>());
                return s;
              });
      InPlaceFixture.await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> Optional.ofNullable(client.namespaces().withName(ns).get()).isEmpty());
    }
  }
}
