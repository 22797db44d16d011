package io.pgconn.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pgconn.operator.api.AutoPoolSpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.Policies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The token-buffer cloner gives what JOSDK's default (a JSON string written and parsed back) gives:
 * a copy that serializes byte for byte as the original, and shares nothing a reconcile could change
 * with the informer's cached object.
 */
class TokenBufferClonerTest {

  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final TokenBufferCloner cloner = new TokenBufferCloner(serialization);

  @Test
  void aCopySerializesAsTheOriginalAndAsTheDefaultClonersCopy() {
    PostgresConnectionPolicy original = readyPolicy();

    PostgresConnectionPolicy copy = cloner.clone(original);

    String json = serialization.asJson(original);
    assertThat(serialization.asJson(copy)).isEqualTo(json);
    assertThat(serialization.asJson(serialization.clone(original))).isEqualTo(json);
  }

  @Test
  void aNewPolicyWithoutStatusIsCopiedToo() {
    PostgresConnectionPolicy original = Policies.policy("ns", "fresh", "src", spec -> {});

    assertThat(serialization.asJson(cloner.clone(original)))
        .isEqualTo(serialization.asJson(original));
  }

  @Test
  void aCopySharesNothingMutableWithTheOriginal() {
    PostgresConnectionPolicy original = readyPolicy();
    String before = serialization.asJson(original);

    PostgresConnectionPolicy copy = cloner.clone(original);
    copy.getMetadata().getLabels().put("team", "changed");
    copy.getMetadata().getAnnotations().clear();
    copy.getMetadata().getOwnerReferences().get(0).setName("changed");
    copy.getSpec().getPool().getAuto().setMax(99);
    copy.getStatus().getConditions().get(0).setMessage("changed");
    copy.getStatus().getPool().setConnectionLimit(99);
    copy.getStatus().getChecks().remove(0);
    copy.getStatus().getServer().setMaxConnections(1);
    copy.getStatus().getServer().getConsumers().clear();

    assertThat(copy).isNotSameAs(original);
    assertThat(serialization.asJson(original)).isEqualTo(before);
  }

  /** The sample Ready policy, with the metadata a copy must also keep apart. */
  private PostgresConnectionPolicy readyPolicy() {
    PostgresConnectionPolicy policy =
        Policies.readyWithSampleStatus(
            serialization,
            spec -> {
              AutoPoolSpec auto = new AutoPoolSpec();
              auto.setMax(20);
              spec.getPool().setAuto(auto);
            });
    var metadata = policy.getMetadata();
    metadata.setGeneration(3L);
    metadata.setLabels(new HashMap<>(Map.of("team", "payments", "tier", "web")));
    metadata.setAnnotations(new HashMap<>(Map.of("argocd.argoproj.io/sync-wave", "2")));
    metadata.setFinalizers(new ArrayList<>(List.of("pgconn.io/cleanup")));
    metadata.setOwnerReferences(
        new ArrayList<>(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion("argoproj.io/v1alpha1")
                    .withKind("Application")
                    .withName("shop")
                    .withUid("5d1c9a7e-0000-4000-8000-000000000001")
                    .build())));
    return policy;
  }
}
