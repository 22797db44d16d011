package io.pgconn.operator.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example is accepted by a real API server with the project's CRD (server-side apply). Kinds
 * of other projects whose CRDs the tests do not install (External Secrets' ExternalSecret) are
 * checked against what the example applies in their place: the Secret they would produce.
 */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, operator = false)
class ExamplesIT {

  private final KubernetesClient client;

  ExamplesIT(KubernetesClient client) {
    this.client = client;
  }

  static Stream<Path> examples() {
    return ExampleFiles.files().stream();
  }

  /** API versions of kinds whose CRDs are not installed in tests. */
  static final Set<String> NOT_INSTALLED =
      Set.of("external-secrets.io/v1", "external-secrets.io/v1beta1");

  @SuppressWarnings("unchecked")
  static String producedSecret(HasMetadata externalSecret) {
    var spec =
        (Map<String, Object>)
            ((GenericKubernetesResource) externalSecret).getAdditionalProperties().get("spec");
    var target = (Map<String, Object>) spec.get("target");
    return target != null && target.get("name") != null
        ? (String) target.get("name")
        : externalSecret.getMetadata().getName();
  }

  static List<String> secretNames(Path file) {
    try (Stream<Path> siblings = java.nio.file.Files.list(file.getParent())) {
      return siblings
          .filter(p -> p.toString().endsWith(".yaml"))
          .flatMap(p -> ExampleFiles.load(p).stream())
          .filter(Secret.class::isInstance)
          .map(s -> s.getMetadata().getName())
          .toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void isAcceptedByTheApiServer(Path file) {
    List<HasMetadata> items = ExampleFiles.load(file);
    assertThat(items).as(file.toString()).isNotEmpty();
    ClusterFixtures k8s = new ClusterFixtures(client);
    for (HasMetadata item : items) {
      if (NOT_INSTALLED.contains(item.getApiVersion())) {
        assertThat(producedSecret(item))
            .as("%s: the Secret %s produces is part of the example", file, item.getKind())
            .isIn(secretNames(file));
        continue;
      }
      if (item.getMetadata().getNamespace() != null) {
        k8s.namespace(item.getMetadata().getNamespace());
      }
      HasMetadata applied =
          client.resource(item).fieldManager("examples-test").forceConflicts().serverSideApply();
      assertThat(applied.getMetadata().getUid()).isNotBlank();
      if (applied instanceof PostgresConnectionPolicy policy) {
        // Defaults from the CRD schema are filled in by the API server.
        assertThat(policy.getSpec().getProbe().getMode()).isNotNull();
        var source = policy.getSpec().getSource();
        if (source.getSecretRef() != null) {
          assertThat(source.getSecretRef().getKey()).isNotBlank();
        } else if (source.getFields() != null) {
          assertThat(source.getFields().getHost()).isNotBlank();
          assertThat(source.getFields().getPassword()).isNotBlank();
        } else {
          assertThat(source.getJson().getKey()).isNotBlank();
        }
        if (source.getCaSecretRef() != null) {
          assertThat(source.getCaSecretRef().getMountPath()).startsWith("/");
        }
      }
    }
  }
}
