package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;

/**
 * Status is patched only when it changed, as identity plus status alone, and what the API server
 * answered goes into the operator's cache at once. The SDK's own status patch (UpdateControl) does
 * not do that last step: a reconcile that starts before the informer brings the echo of the write
 * (an event from a workload, a peer or a probe, under load) would read the old status, take the
 * status it computes for new, and write it again.
 */
final class StatusPatch {

  private StatusPatch() {}

  /** Writes {@code status} unless it equals {@code previous}, the status the reconcile read. */
  static void write(
      PostgresConnectionPolicy policy,
      PolicyStatus previous,
      PolicyStatus status,
      Context<PostgresConnectionPolicy> context) {
    if (status.equals(previous)) return;
    PostgresConnectionPolicy written =
        context
            .getClient()
            .resource(withStatus(policy, status))
            .subresource("status")
            .patch(
                new PatchContext.Builder()
                    .withPatchType(PatchType.SERVER_SIDE_APPLY)
                    .withFieldManager(context.getControllerConfiguration().fieldManager())
                    .withForce(true)
                    .build());
    cache(policy, written, context);
  }

  /**
   * Puts what a write of the policy returned into the operator's cache, which keeps it until the
   * informer has caught up. The SDK does so only while its cache still holds {@code before}'s
   * version: one that already shows a later change is left as it is. {@code before} then takes the
   * answer's resourceVersion, so that a later write in the same reconcile (the status after the
   * finalizer) is cached against the version it follows.
   */
  static void cache(
      PostgresConnectionPolicy before,
      PostgresConnectionPolicy written,
      Context<PostgresConnectionPolicy> context) {
    context
        .eventSourceRetriever()
        .getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(before), written, before);
    before.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
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
