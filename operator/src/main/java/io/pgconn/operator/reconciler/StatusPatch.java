package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;

/** Status is patched only when it changed, and then as identity plus status alone. */
final class StatusPatch {

  private StatusPatch() {}

  static UpdateControl<PostgresConnectionPolicy> of(
      PostgresConnectionPolicy policy, PolicyStatus previous, PolicyStatus status) {
    return status.equals(previous)
        ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(withStatus(policy, status));
  }

  /** A fresh object carrying only identity and status: what server-side apply of status wants. */
  static PostgresConnectionPolicy withStatus(PostgresConnectionPolicy policy, PolicyStatus status) {
    PostgresConnectionPolicy fresh = new PostgresConnectionPolicy();
    fresh.setMetadata(
        new ObjectMetaBuilder()
            .withName(policy.getMetadata().getName())
            .withNamespace(policy.getMetadata().getNamespace())
            .build());
    fresh.setStatus(status);
    return fresh;
  }
}
