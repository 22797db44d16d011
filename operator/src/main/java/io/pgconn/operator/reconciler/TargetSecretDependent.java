package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.util.Map;

/**
 * The target Secret in normal mode. JOSDK creates it, or server-side applies it when it differs
 * from the desired content, and keeps the operator's own writes from waking the policy again. Its
 * informer sees only the Secrets the operator labels, never every Secret of the cluster.
 *
 * <p>The desired content is decided before this runs (probe, budget, rendering), so the reconciler
 * hands it over through the reconcile's context: {@link #reconcile(PostgresConnectionPolicy,
 * Context, RenderedContent)}.
 */
final class TargetSecretDependent
    extends CRUDKubernetesDependentResource<Secret, PostgresConnectionPolicy> {

  static final String NAME = "target-secret";
  private static final String CONTENT = RenderedContent.class.getName();

  TargetSecretDependent() {
    super(Secret.class, NAME);
    configureWith(
        new KubernetesDependentResourceConfigBuilder<Secret>()
            // JOSDK 5 writes ConfigMaps and Secrets with create/update (PUT) unless told
            // otherwise; the chart grants create and patch, never update, on Secrets, so an
            // update of the target was refused (403, retried forever) and a rotation never
            // reached the apps. The content is `data`, which server-side apply matches exactly.
            .withUseSSA(true)
            .withKubernetesDependentInformerConfig(
                InformerConfiguration.builder(Secret.class)
                    .withLabelSelector(ManagedSecrets.SELECTOR)
                    .build())
            .build());
  }

  /** Writes {@code content} to the target if it is not there already. */
  void reconcile(
      PostgresConnectionPolicy policy,
      Context<PostgresConnectionPolicy> context,
      RenderedContent content) {
    context.managedWorkflowAndDependentResourceContext().put(CONTENT, content);
    reconcile(policy, context);
  }

  @Override
  protected Secret desired(
      PostgresConnectionPolicy policy, Context<PostgresConnectionPolicy> context) {
    RenderedContent content =
        context
            .managedWorkflowAndDependentResourceContext()
            .getMandatory(CONTENT, RenderedContent.class);
    return ManagedSecrets.owned(
        policy, PolicyView.of(policy).targetSecretName(), content.data(), Map.of());
  }

  /** The target's name comes from the spec alone: looking it up needs no rendered content. */
  @Override
  protected ResourceID targetSecondaryResourceID(
      PostgresConnectionPolicy policy, Context<PostgresConnectionPolicy> context) {
    return new ResourceID(
        PolicyView.of(policy).targetSecretName(), policy.getMetadata().getNamespace());
  }
}
