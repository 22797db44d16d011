package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
  private static final String TARGET_INDEX = "pgconn-target-secret";

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

  /**
   * Writes {@code content} (and the target's metadata) if it is not there already; returns the
   * target as written, or as it was when nothing needed writing.
   */
  Optional<Secret> reconcile(
      PostgresConnectionPolicy policy,
      Context<PostgresConnectionPolicy> context,
      RenderedContent content) {
    context.managedWorkflowAndDependentResourceContext().put(CONTENT, content);
    return reconcile(policy, context).getSingleResource();
  }

  @Override
  protected Secret desired(
      PostgresConnectionPolicy policy, Context<PostgresConnectionPolicy> context) {
    RenderedContent content =
        context
            .managedWorkflowAndDependentResourceContext()
            .getMandatory(CONTENT, RenderedContent.class);
    return ManagedSecrets.target(
        policy,
        PolicyView.of(policy).targetSecretName(),
        content.data(),
        TargetMetadata.of(policy));
  }

  /**
   * The owner reference is the deletionPolicy's to decide ({@link TargetMetadata}): JOSDK would add
   * one to every desired Secret of a garbage-collected dependent.
   */
  @Override
  protected void addReferenceHandlingMetadata(Secret desired, PostgresConnectionPolicy policy) {}

  /**
   * The target by its name, from the informer's cache: a retained target (no owner reference) may
   * have been indexed for no policy, or for a deleted one, when it last changed.
   */
  @Override
  public Optional<Secret> getSecondaryResource(
      PostgresConnectionPolicy policy, Context<PostgresConnectionPolicy> context) {
    ResourceID id = targetSecondaryResourceID(policy, context);
    return eventSource().flatMap(informer -> informer.get(id));
  }

  /**
   * Which policies a Secret's change wakes: its owner (the hash key, the in place backup, a target
   * with Delete), and every policy whose target it is, owner or not (a retained target, or one a
   * policy is refused).
   */
  @Override
  protected Optional<SecondaryToPrimaryMapper<Secret>> getSecondaryToPrimaryMapper(
      EventSourceContext<PostgresConnectionPolicy> context) {
    SecondaryToPrimaryMapper<Secret> owners =
        Mappers.fromOwnerReferences(PostgresConnectionPolicy.class, false);
    // Every write to a target comes back as an event: a scan of every policy per event made
    // 1,000 policies cost a million views while converging; an index answers at once.
    var primaries = context.getPrimaryCache();
    primaries.addIndexer(
        TARGET_INDEX,
        p -> List.of(targetKey(p.getMetadata().getNamespace(), PolicyView.targetSecretName(p))));
    return Optional.of(
        secret -> {
          Set<ResourceID> policies = new HashSet<>(owners.toPrimaryResourceIDs(secret));
          primaries
              .byIndex(
                  TARGET_INDEX,
                  targetKey(secret.getMetadata().getNamespace(), secret.getMetadata().getName()))
              .forEach(p -> policies.add(ResourceID.fromResource(p)));
          return policies;
        });
  }

  private static String targetKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  /** The target's name comes from the spec alone: looking it up needs no rendered content. */
  @Override
  protected ResourceID targetSecondaryResourceID(
      PostgresConnectionPolicy policy, Context<PostgresConnectionPolicy> context) {
    return new ResourceID(
        PolicyView.of(policy).targetSecretName(), policy.getMetadata().getNamespace());
  }
}
