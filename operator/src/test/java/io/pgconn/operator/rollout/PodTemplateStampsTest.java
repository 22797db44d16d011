package io.pgconn.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.pgconn.operator.kube.OperatorIdentity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTemplateStampsTest {

  /** The name part of an annotation key: at most 63, alphanumeric at both ends. */
  static final String NAME_PART = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";

  @Test
  void aShortPolicyNameIsItsOwnKeyAndManager() {
    assertThat(PodTemplateStamps.key("shop-backend"))
        .isEqualTo("content-hash.pgconn.io/shop-backend");
    assertThat(OperatorIdentity.policyFieldManager("shop-backend"))
        .isEqualTo("pgconn-operator/shop-backend");
    String sixtyThree = "a".repeat(63);
    assertThat(PodTemplateStamps.key(sixtyThree)).endsWith("/" + sixtyThree);
  }

  @Test
  void aLongPolicyNameGetsAValidStableKeyThatDiffersFromItsNeighbours() {
    String longName = "payments.eu-west-1." + "x".repeat(200) + ".reporting-replica";
    String neighbour = longName.replace("reporting-replica", "reporting-primary");
    String key = PodTemplateStamps.key(longName);
    assertThat(key.substring(PodTemplateStamps.KEY_PREFIX.length()))
        .hasSize(63)
        .matches(NAME_PART)
        .startsWith("payments.eu-west-1.");
    assertThat(PodTemplateStamps.key(longName)).isEqualTo(key);
    assertThat(PodTemplateStamps.key(neighbour)).isNotEqualTo(key);
    // Field managers may be up to 128 characters; the same segment keeps both recognisable.
    assertThat(OperatorIdentity.policyFieldManager(longName))
        .hasSizeLessThanOrEqualTo(128)
        .isEqualTo("pgconn-operator/" + key.substring(PodTemplateStamps.KEY_PREFIX.length()));
  }

  @Test
  void eachPolicyReadsItsOwnStampAndTheLegacyOneOnlyWithoutIt() {
    var template =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .addToAnnotations(
                Map.of(
                    "content-hash.pgconn.io/orders", "sha256:o",
                    "pgconn.io/content-hash", "sha256:legacy",
                    "example.com/team", "shop"))
            .endMetadata()
            .build();
    PodTemplateStamps stamps = PodTemplateStamps.of(template);
    assertThat(stamps.byKey())
        .containsOnlyKeys("content-hash.pgconn.io/orders", "pgconn.io/content-hash");
    assertThat(stamps.hashOf("orders")).isEqualTo("sha256:o");
    // Stamped by an operator from before per-policy keys: read as this policy's stamp.
    assertThat(stamps.hashOf("billing")).isEqualTo("sha256:legacy");
    assertThat(PodTemplateStamps.of(new PodTemplateSpecBuilder().build()).hashOf("orders"))
        .isNull();
    assertThat(PodTemplateStamps.of(null).hashOf("orders")).isNull();
  }
}
