package io.pgconn.operator.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example is accepted by a real API server with the project's CRD (server-side apply). */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, operator = false)
class ExamplesIT {

  private final KubernetesClient client;

  ExamplesIT(KubernetesClient client) {
    this.client = client;
  }

  static Stream<Path> examples() {
    return ExampleFiles.files().stream();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void isAcceptedByTheApiServer(Path file) {
    List<HasMetadata> items = ExampleFiles.load(file);
    assertThat(items).as(file.toString()).isNotEmpty();
    ClusterFixtures k8s = new ClusterFixtures(client);
    for (HasMetadata item : items) {
      if (item.getMetadata().getNamespace() != null) {
        k8s.namespace(item.getMetadata().getNamespace());
      }
      HasMetadata applied =
          client.resource(item).fieldManager("examples-test").forceConflicts().serverSideApply();
      assertThat(applied.getMetadata().getUid()).isNotBlank();
      if (applied instanceof PostgresConnectionPolicy policy) {
        // Defaults from the CRD schema are filled in by the API server.
        assertThat(policy.getSpec().getProbe().getMode()).isNotNull();
        assertThat(policy.getSpec().getSource().getSecretRef().getKey()).isNotBlank();
      }
    }
  }
}
