package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import org.junit.jupiter.api.Test;

/**
 * Secret names derived from a policy's name are valid Kubernetes names, or the policy is refused.
 */
class GeneratedNamesTest {

  @Test
  void aPolicyNameTooLongForItsDerivedSecretsIsInvalidSpecWithTheLimit() {
    PolicyView view = PolicyView.of(policy("p".repeat(250)));
    assertThatThrownBy(view::requireValidGeneratedNames)
        .isInstanceOf(PolicyFailure.class)
        .satisfies(e -> assertThat(((PolicyFailure) e).reason()).isEqualTo("InvalidSpec"))
        .hasMessageContaining("242");
  }

  @Test
  void theLongestAcceptedNameGivesNamesOfAtMost253() throws Exception {
    PolicyView view = PolicyView.of(policy("p".repeat(242)));
    view.requireValidGeneratedNames();
    assertThat(view.targetSecretName()).hasSizeLessThanOrEqualTo(253);
    assertThat(view.backupSecretName()).hasSizeLessThanOrEqualTo(253);
    assertThat(view.hashKeySecretName()).hasSizeLessThanOrEqualTo(253);
  }

  private static PostgresConnectionPolicy policy(String name) {
    PostgresConnectionPolicy policy = new PostgresConnectionPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").build());
    PolicySpec spec = new PolicySpec();
    spec.getSource().setSecretRef(new SecretKeyRef("db", "DATABASE_URL"));
    policy.setSpec(spec);
    return policy;
  }
}
