package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.pgconn.operator.api.DeletionPolicy;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the target carries besides its data, and when the operator must write it: an unchanged
 * target is never rewritten (quiet at rest), any change of labels, annotations or owner is.
 */
class TargetMetadataTest {

  @Test
  void theSpecsLabelsAndAnnotationsGoBesideTheOperatorsOwnWhichWin() throws Exception {
    PostgresConnectionPolicy policy =
        policy(
            DeletionPolicy.Retain,
            Map.of("team", "shop", "app.kubernetes.io/managed-by", "someone-else"),
            Map.of("reloader.stakater.com/ignore", "true", "javaoperatorsdk.io/previous", "x"));
    TargetMetadata metadata = TargetMetadata.validated(policy);
    assertThat(metadata.labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "team", "shop",
                "app.kubernetes.io/managed-by", "pgconn-operator",
                "pgconn.io/policy", "web"));
    assertThat(metadata.annotations())
        .containsExactlyInAnyOrderEntriesOf(Map.of("reloader.stakater.com/ignore", "true"));
    assertThat(metadata.owned()).isFalse();
    assertThat(TargetMetadata.of(policy(DeletionPolicy.Delete, Map.of(), Map.of())).owned())
        .isTrue();
  }

  @Test
  void aTargetThatCarriesItAllIsHeldAndAnyDifferenceIsNot() {
    PostgresConnectionPolicy policy =
        policy(DeletionPolicy.Retain, Map.of("team", "shop"), Map.of("note", "a"));
    TargetMetadata metadata = TargetMetadata.of(policy);
    assertThat(metadata.heldBy(secret(metadata, false, policy, List.of()), policy)).isTrue();
    // Labels other writers added are theirs: no reason to write.
    Secret withForeignLabel = secret(metadata, false, policy, List.of());
    withForeignLabel.getMetadata().getLabels().put("added-by", "someone");
    assertThat(metadata.heldBy(withForeignLabel, policy)).isTrue();

    Secret owned = secret(metadata, true, policy, List.of());
    assertThat(metadata.heldBy(owned, policy)).as("Retain, but owned").isFalse();
    assertThat(TargetMetadata.wronglyOwned(owned, policy)).isTrue();
    assertThat(TargetMetadata.ownerIndex(owned, policy)).isZero();

    Secret changed = secret(metadata, false, policy, List.of());
    changed.getMetadata().getLabels().put("team", "other");
    assertThat(metadata.heldBy(changed, policy)).isFalse();

    // A label the operator applied before and the spec no longer has: the next apply removes it.
    Secret stale = secret(metadata, false, policy, List.of("f:team", "f:tier"));
    assertThat(metadata.heldBy(stale, policy)).isFalse();
    // The SDK's own annotation is applied with the rest, and is never stale.
    Secret previous = secret(metadata, false, policy, List.of("f:team"));
    assertThat(metadata.heldBy(previous, policy)).isTrue();

    PostgresConnectionPolicy deleting =
        policy(DeletionPolicy.Delete, Map.of("team", "shop"), Map.of("note", "a"));
    TargetMetadata owning = TargetMetadata.of(deleting);
    assertThat(owning.heldBy(secret(owning, true, deleting, List.of()), deleting)).isTrue();
    assertThat(owning.heldBy(secret(owning, false, deleting, List.of()), deleting)).isFalse();
  }

  @Test
  void aLabelValueKubernetesWouldRefuseFailsThePolicyBeforeAnyWrite() throws Exception {
    for (String bad : new String[] {"a b", "-a", "x".repeat(64), "ü"}) {
      assertThatThrownBy(
              () ->
                  TargetMetadata.validated(
                      policy(DeletionPolicy.Retain, Map.of("team", bad), Map.of())))
          .isInstanceOf(PolicyFailure.class)
          .satisfies(e -> assertThat(((PolicyFailure) e).reason()).isEqualTo("InvalidSpec"))
          .hasMessageStartingWith(
              "spec.target.labels: the value of team is not a valid label value")
          .hasMessageContaining("spec.target.annotations instead");
    }
    for (String good : new String[] {"", "a", "a.b_c-d", "x".repeat(63)}) {
      assertThat(
              TargetMetadata.validated(
                      policy(DeletionPolicy.Retain, Map.of("team", good), Map.of()))
                  .labels())
          .containsEntry("team", good);
    }
  }

  private static Secret secret(
      TargetMetadata metadata,
      boolean owned,
      PostgresConnectionPolicy policy,
      List<String> appliedLabels) {
    var meta =
        new ObjectMetaBuilder()
            .withName("web-connection")
            .withNamespace("ns")
            .withLabels(new HashMap<>(metadata.labels()))
            .withAnnotations(new HashMap<>(metadata.annotations()));
    if (owned) meta.withOwnerReferences(ManagedSecrets.ownerReference(policy));
    if (!appliedLabels.isEmpty()) {
      FieldsV1 fields = new FieldsV1();
      Map<String, Object> labels = new TreeMap<>();
      appliedLabels.forEach(l -> labels.put(l, Map.of()));
      fields.setAdditionalProperty(
          "f:metadata",
          Map.of(
              "f:labels",
              labels,
              "f:annotations",
              Map.of("f:javaoperatorsdk.io/previous", Map.of(), "f:note", Map.of())));
      meta.withManagedFields(
          new ManagedFieldsEntryBuilder()
              .withManager("pgconn-operator")
              .withOperation("Apply")
              .withFieldsV1(fields)
              .build());
    }
    return new SecretBuilder().withMetadata(meta.build()).build();
  }

  private static PostgresConnectionPolicy policy(
      DeletionPolicy deletion, Map<String, String> labels, Map<String, String> annotations) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(
        new ObjectMetaBuilder().withName("web").withNamespace("ns").withUid("uid-1").build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef("src", "DATABASE_URL"));
    spec.getTarget().setDeletionPolicy(deletion);
    spec.getTarget().setLabels(labels);
    spec.getTarget().setAnnotations(annotations);
    policy.setSpec(spec);
    return policy;
  }
}
